/** The log of `mailtrust serve`: JSON lines (pino), one object per event, on stdout unless told otherwise. */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { ServeConfig } from './config.js';

export function createLogger(level: ServeConfig['logLevel'], destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'mailtrust' } };
  return destination ? pino(options, destination) : pino(options);
}
