/**
 * CPU time of this process's threads other than the main one — V8's compiler and garbage-collector helpers,
 * libuv's pool, worker threads — from `/proc/self/task/<tid>/stat` (utime and stime, fields 14 and 15, in clock
 * ticks of 10 ms). Linux only; elsewhere it reads 0.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10;

export function helperThreadsMs(): number {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let total = 0;
  for (const tid of tids) {
    if (Number(tid) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return total;
}
