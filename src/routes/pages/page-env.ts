import type { AppEnv } from '../../env';

/** What the pages' middleware hands their handlers, besides the API's deps and access. */
export interface PageEnv extends AppEnv {
  Variables: AppEnv['Variables'] & {
    /** This response's CSP nonce. */
    nonce: string;
    /** The CSRF token of this browser's session (signed in) or pre-session (log in, sign up). */
    csrf: string;
    /** External scripts this page loads (Turnstile's, when configured); the CSP names their origin. */
    scripts: string[];
  };
}
