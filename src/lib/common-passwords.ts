/**
 * Placeholder until the shipped list lands (issue 5): only the handful below.
 */
const LIST = ['123456789012345', 'passwordpassword', 'qwertyuiopasdfgh'];

export function isCommonPassword(password: string): boolean {
  return LIST.includes(password.toLowerCase());
}
