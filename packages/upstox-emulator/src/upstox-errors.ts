/**
 * Upstox error codes the emulator answers with, and their messages. Messages follow Upstox's docs
 * where they print one (error-codes page, endpoint 4XX tabs, NET SDK docs) and are our wording
 * otherwise; see the README.
 */
export const UPSTOX_ERRORS = {
  UDAPI10000: 'This request is not supported by Upstox API',
  UDAPI10005: 'Too Many Request Sent',
  UDAPI100016: 'Invalid Credentials',
  UDAPI100036: 'Invalid Input',
  UDAPI100050: 'Invalid token used to access API',
  UDAPI100057: 'Invalid Auth code',
  UDAPI100058:
    'No segments for these users are active. Manual reactivation is recommended from Upstox app/web.',
  UDAPI100067: 'The API you are trying to access is not permitted with an extended_token',
  UDAPI100068: "Check your 'client_id' and 'redirect_uri'; one or both are incorrect.",
  UDAPI100069: "Check your 'client_id' and 'client_secret'; one or both are incorrect.",
  UDAPI100072: 'The Funds service is accessible from 5:30 AM to 12:00 AM IST daily',
  UDAPI100073: "Your 'client_id' is inactive.",
  UDAPI100500: 'Something went wrong... please contact us',
  UDAPI1017: 'API Key is required',
  UDAPI1018: 'Redirect URI is required',
  UDAPI1022: 'Code is required',
  UDAPI1023: 'Grant type is required',
  UDAPI1024: 'App Secret is required',
  UDAPI1123: 'Invalid notifier url',
  UDAPI1124: 'This API is available only for individual users',
  UDAPI1154: 'Access to this API is blocked due to static IP restrictions',
} as const;

/** An Upstox error code the emulator knows. */
export type UpstoxErrorCode = keyof typeof UPSTOX_ERRORS;

/** One entry of the `errors[]` array, both spellings (snake_case current, camelCase deprecated). */
export interface UpstoxErrorItem {
  error_code: string;
  message: string;
  property_path: string | null;
  invalid_value: unknown;
  errorCode: string;
  propertyPath: string | null;
  invalidValue: unknown;
}

/** The error envelope of every Upstox API. */
export interface UpstoxErrorBody {
  status: 'error';
  errors: UpstoxErrorItem[];
}

/** What to put in one error entry besides the code. */
export interface ErrorDetail {
  /** The request property at fault, e.g. `client_id`. */
  propertyPath?: string | null;
  /** The offending value. Callers never pass secrets (client_secret, code, tokens) here. */
  invalidValue?: unknown;
  /** Overrides the standard message. */
  message?: string;
}

/** Builds one `errors[]` entry with both spellings of every field. */
export function errorItem(code: UpstoxErrorCode, detail: ErrorDetail = {}): UpstoxErrorItem {
  const message = detail.message ?? UPSTOX_ERRORS[code];
  const propertyPath = detail.propertyPath ?? null;
  const invalidValue = detail.invalidValue ?? null;
  return {
    error_code: code,
    message,
    property_path: propertyPath,
    invalid_value: invalidValue,
    errorCode: code,
    propertyPath,
    invalidValue,
  };
}

/** Builds the envelope `{status:"error", errors:[...]}`. */
export function errorBody(items: UpstoxErrorItem[]): UpstoxErrorBody {
  return { status: 'error', errors: items };
}
