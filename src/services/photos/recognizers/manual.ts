import type { ManualRecognizer } from './types';

/**
 * The default: no remote call; every photo waits in the admin review queue
 * (`GET /photos?status=pending`). There is deliberately no recognizer that accepts everything.
 */
export const manualRecognizer: ManualRecognizer = { kind: 'manual' };
