import type { D1Migration } from 'cloudflare:test';
import type { Bindings } from '../src/env';

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
    interface Env extends Bindings {
      DB: D1Database;
      REVOCATIONS: KVNamespace;
      PHOTOS: R2Bucket;
      TEST_MIGRATIONS: D1Migration[];
      JWT_PRIVATE_KEY: string;
      JWT_PREVIOUS_PUBLIC_KEY: string;
      TEST_PREVIOUS_PRIVATE_KEY: string;
      FUZZ_RUNS: string;
      FUZZ_SEED: string;
    }
  }
}
