// Types for scripts/admin-sql.mjs, so the TypeScript tests import it under `strict`.
export declare const USERNAME_PATTERN: RegExp;
export declare const ROLES: readonly ['normal', 'celebrity', 'admin'];
export declare const MAX_SEARCH_LENGTH: number;
export declare const LIST_LIMIT: number;
export declare class AdminInputError extends Error {}
export declare function parseUsername(value: unknown): string;
export declare function parseRole(value: unknown): string;
export declare function text(value: string): string;
export declare function int(value: number): string;
export declare function foldedFor(expr: string, lowered: string): string;
export declare function setRoleSql(username: unknown, role: unknown, now: number): string[];
export declare function revokeSessionsSql(username: unknown, now: number): string[];
export declare function userToDeleteSql(username: unknown): string[];
export declare function deleteUserSql(uuid: string, now: number): string[];
export declare function listUsersSql(): string[];
export declare function findUserSql(value: unknown): string[];
export declare function statsSql(now: number): string[];
export declare function joinStatements(statements: string[]): string;
export declare function revocationKey(sessionId: string): string;
export declare function revocationValue(now: number, reason: string): string;
export declare function revocationTtl(lastUsedAt: number, accessTokenTtlSeconds: number, now: number): number;
