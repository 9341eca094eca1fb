import type { Child } from 'hono/jsx';
import type { FieldError } from '../../../lib/problem';
import { PASSWORD_FIELD_MAX } from '../../../lib/password-policy';

/** Field errors by the form field they belong to (a problem's `path`). */
export type Errors = Record<string, string>;

export const errorsByField = (errors: FieldError[] | undefined): Errors =>
  Object.fromEntries((errors ?? []).map((e) => [e.path.split('.')[0] ?? e.path, e.message]));

export interface FieldProps {
  /** Unique on the page: the input's id, and the key of its error. */
  id: string;
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'tel' | 'file';
  autocomplete?: string;
  value?: string | null;
  required?: boolean;
  maxlength?: number;
  hint?: string;
  accept?: string;
  error?: string;
}

/**
 * A labelled input. Its hint and its error are tied to it with aria-describedby (and the error
 * sets aria-invalid), so a screen reader announces them with the field.
 */
export function Field(p: FieldProps) {
  const hintId = p.hint ? `${p.id}-hint` : undefined;
  const errorId = p.error ? `${p.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={p.error ? 'field invalid' : 'field'}>
      <label for={p.id}>
        {p.label}
        {p.required ? '' : <span class="optional"> (optional)</span>}
      </label>
      {p.hint ? (
        <p class="hint" id={hintId}>
          {p.hint}
        </p>
      ) : null}
      <input
        id={p.id}
        name={p.name}
        type={p.type ?? 'text'}
        autocomplete={p.autocomplete}
        value={p.type === 'password' || p.type === 'file' ? undefined : (p.value ?? undefined)}
        required={p.required}
        maxlength={p.maxlength}
        accept={p.accept}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
      {p.error ? (
        <p class="error" id={errorId}>
          {p.error}
        </p>
      ) : null}
    </div>
  );
}

/** The current password a change asks for again (autocomplete `current-password`, so managers fill it). */
export const CurrentPasswordField = (p: { id: string; label?: string; error?: string }) => (
  <Field
    id={p.id}
    name="current_password"
    type="password"
    label={p.label ?? 'Your password'}
    autocomplete="current-password"
    required
    maxlength={PASSWORD_FIELD_MAX}
    error={p.error}
  />
);

/** A new password (autocomplete `new-password`, so managers offer to make one); `hint` says what follows. */
export const NewPasswordField = (p: { id: string; error?: string; hint: string }) => (
  <Field
    id={p.id}
    name="new_password"
    type="password"
    label="New password"
    autocomplete="new-password"
    error={p.error}
    required
    maxlength={PASSWORD_FIELD_MAX}
    hint={p.hint}
  />
);

/** The message above a form: what went wrong as a whole (role=alert, so it is announced). */
export const FormMessage = (p: { message?: string; kind?: 'error' | 'notice' }) =>
  p.message ? (
    <p class={p.kind === 'notice' ? 'notice' : 'alert'} role={p.kind === 'notice' ? 'status' : 'alert'}>
      {p.message}
    </p>
  ) : null;

/** A POST form with its CSRF token. */
export const PostForm = (p: { action: string; csrf: string; children: Child; multipart?: boolean; label?: string }) => (
  <form method="post" action={p.action} enctype={p.multipart ? 'multipart/form-data' : undefined} aria-label={p.label}>
    <input type="hidden" name="csrf" value={p.csrf} />
    {p.children}
  </form>
);
