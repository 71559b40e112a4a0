/** The fields docs/cli.md gives `mailtrust check --json` and an `Evaluation` (besides `dns` and mailtrust's own). */
export const DESIGN_EVALUATION_FIELDS = [
  'verdict',
  'retryable',
  'reasons',
  'iprev',
  'helo',
  'spf',
  'dkim',
  'dmarc',
  'arc',
  'headers',
  'authenticationResults',
] as const;
