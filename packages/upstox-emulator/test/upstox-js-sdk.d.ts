// Minimal typing of the parts of the official SDK (CommonJS, untyped) used by sdk.test.ts.
declare module 'upstox-js-sdk' {
  type Callback = (
    error: (Error & { status?: number; response?: { text?: string } }) | null,
    // biome-ignore lint/suspicious/noExplicitAny: the SDK returns untyped model instances.
    data: any,
  ) => void;
  class ApiClient {
    constructor(sandbox?: boolean);
    basePath: string;
    orderBasePath: string;
    timeout: number;
    authentications: { OAUTH2: { type: string; accessToken?: string } };
  }
  class LoginApi {
    constructor(client?: ApiClient);
    token(apiVersion: string, opts: Record<string, string>, cb: Callback): void;
    logout(apiVersion: string, cb: Callback): void;
    initTokenRequestForIndieUser(body: unknown, clientId: string, cb: Callback): void;
  }
  class UserApi {
    constructor(client?: ApiClient);
    getProfile(apiVersion: string, cb: Callback): void;
  }
  class IndieUserTokenRequest {
    constructor();
    clientSecret?: string;
  }
  const sdk: {
    ApiClient: typeof ApiClient;
    LoginApi: typeof LoginApi;
    UserApi: typeof UserApi;
    IndieUserTokenRequest: typeof IndieUserTokenRequest;
  };
  export default sdk;
}
