import { BrokerError, ErrorCodes } from '@hft/errors';
import { isPlainObject } from '@hft/errors/assert';

/**
 * Field-by-field reader of a JSON object from Upstox. Every failure is a `BrokerError`
 * (`HFT_BROKER_INVALID_RESPONSE`) naming the endpoint and the field, never the value (values
 * can be secrets). Fields that were not read are available as `rest()` so unknown broker
 * fields are kept rather than dropped.
 */
export class BodyReader {
  private readonly seen = new Set<string>();
  private readonly object: Record<string, unknown>;

  constructor(
    private readonly endpoint: string,
    body: unknown,
    private readonly path = '',
  ) {
    if (!isPlainObject(body)) throw this.fail(path || 'body', 'is not a JSON object');
    this.object = body;
  }

  fail(field: string, problem: string): BrokerError {
    return new BrokerError(`Upstox answered ${this.endpoint} with an unusable body: "${field}" ${problem}`, {
      code: ErrorCodes.BROKER_INVALID_RESPONSE,
      details: { status: 200, endpoint: this.endpoint, errors: [] },
    });
  }

  private name(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  private raw(field: string): unknown {
    this.seen.add(field);
    return this.object[field];
  }

  /** A required non-empty string. */
  string(field: string): string {
    const v = this.raw(field);
    if (v === undefined || v === null) throw this.fail(this.name(field), 'is missing');
    if (typeof v !== 'string' || v.length === 0)
      throw this.fail(this.name(field), 'must be a non-empty string');
    return v;
  }

  /** An optional string (`null` and absent both give `undefined`). */
  optionalString(field: string): string | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.fail(this.name(field), 'must be a string');
    return v;
  }

  /** An optional boolean. */
  optionalBoolean(field: string): boolean | undefined {
    const v = this.raw(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.fail(this.name(field), 'must be a boolean');
    return v;
  }

  /** An optional array of strings; absent or null gives `[]`. */
  stringArray(field: string): string[] {
    const v = this.raw(field);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw this.fail(this.name(field), 'must be an array of strings');
    }
    return [...v] as string[];
  }

  /** A required epoch-ms value sent as a string of digits (or a non-negative integer). */
  epochMsString(field: string): number {
    const v = this.raw(field);
    if (v === undefined || v === null) throw this.fail(this.name(field), 'is missing');
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    // A number must obey what the digits-only text form already implies: no negative instants.
    if (!Number.isSafeInteger(n) || n < 0) throw this.fail(this.name(field), 'must be epoch milliseconds');
    return n;
  }

  /** A nested object, read with its own reader. */
  nested(field: string): BodyReader {
    const v = this.raw(field);
    if (!isPlainObject(v))
      throw this.fail(this.name(field), v === undefined ? 'is missing' : 'must be an object');
    return new BodyReader(this.endpoint, v, this.name(field));
  }

  /** Marks fields as known without reading them. */
  skip(...fields: string[]): void {
    for (const f of fields) this.seen.add(f);
  }

  /** Every field not read, as received. */
  rest(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.object)) if (!this.seen.has(k)) out[k] = v;
    return out;
  }
}
