/** The result of a pure parser: the value, or an error that says what is wrong and where. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ParseError };

/** A parse failure. `code` is a stable finding id (docs/trust-model.md) or a module-specific code. */
export interface ParseError {
  code: string;
  message: string;
  /** Where in the input: a character offset and/or a 1-based line number, when known. */
  offset?: number;
  line?: number;
}
