import type { Config } from '../../config';

/** One message as every transport takes it: the sender is the transport's (EMAIL_FROM). */
export interface OutgoingEmail {
  to: string;
  subject: string;
  /** Plain text, with every link written out in full. */
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The pages the links open: each acts only on a button press (a POST), so a mail scanner that fetches it consumes nothing. */
export const linkTo = (config: Config, page: '/verify-email' | '/reset-password', token: string) =>
  `${config.PUBLIC_URL}${page}?token=${encodeURIComponent(token)}`;

interface Parts {
  subject: string;
  /** Paragraphs before the link (or all of them when there is none). */
  lead: string[];
  link?: { url: string; label: string };
  /** What to do if it was not you. */
  notYou: string;
}

function compose(config: Config, to: string, p: Parts): OutgoingEmail {
  const name = config.SERVICE_NAME;
  const text = [...p.lead, ...(p.link ? [p.link.url] : []), p.notYou, `— ${name}`].join('\n\n');
  const paragraph = (s: string) => `<p>${escapeHtml(s)}</p>`;
  const button = p.link ? `<p><a href="${escapeHtml(p.link.url)}">${escapeHtml(p.link.label)}</a></p><p>${escapeHtml(p.link.url)}</p>` : '';
  const html = `<!doctype html><html><body>${p.lead.map(paragraph).join('')}${button}${paragraph(p.notYou)}<p>— ${escapeHtml(name)}</p></body></html>`;
  return { to, subject: `${p.subject} — ${name}`, text, html };
}

export const verificationMessage = (config: Config, to: string, token: string) =>
  compose(config, to, {
    subject: 'Confirm your email address',
    lead: [`Confirm that ${to} is the address of your ${config.SERVICE_NAME} account: open the link below and press the button. It works once, for 24 hours.`],
    link: { url: linkTo(config, '/verify-email', token), label: 'Confirm my address' },
    notYou: 'If you did not sign up, ignore this message: nothing happens unless the link is used.',
  });

export const resetMessage = (config: Config, to: string, token: string) =>
  compose(config, to, {
    subject: 'Reset your password',
    lead: [
      `Someone asked to reset the password of the ${config.SERVICE_NAME} account of ${to}. Open the link below to choose a new one. It works once, for 30 minutes.`,
    ],
    link: { url: linkTo(config, '/reset-password', token), label: 'Choose a new password' },
    notYou: 'If it was not you, ignore this message: your password stays as it is.',
  });

export const resetDoneNotice = (config: Config, to: string) =>
  compose(config, to, {
    subject: 'Your password was reset',
    lead: [`The password of the ${config.SERVICE_NAME} account of ${to} was just reset, and every session was signed out.`],
    notYou: 'If it was not you, reset your password again at once and review the account’s security events.',
  });

export const changeConfirmation = (config: Config, to: string, token: string) =>
  compose(config, to, {
    subject: 'Confirm your new email address',
    lead: [
      `Someone asked to make ${to} the address of their ${config.SERVICE_NAME} account. Open the link below and press the button to confirm. It works once, for 1 hour.`,
    ],
    link: { url: linkTo(config, '/verify-email', token), label: 'Confirm the new address' },
    notYou: 'If it was not you, ignore this message: the address is not used unless the link is.',
  });

export const changedNotice = (config: Config, to: string, newEmail: string) =>
  compose(config, to, {
    subject: 'Your email address was changed',
    lead: [`The email address of your ${config.SERVICE_NAME} account was changed from ${to} to ${newEmail}.`],
    notYou: 'If it was not you, reset your password and contact the service’s administrators at once.',
  });

/** What happened to the second factor, for its notice. */
export type SecondFactorChange = 'enabled' | 'disabled' | 'recovery_code_used' | 'reset';

const SECOND_FACTOR: Record<SecondFactorChange, { subject: string; lead: string }> = {
  enabled: {
    subject: 'Two-step verification is on',
    lead: 'Two-step verification was turned on for your account: logging in now asks for a code from your authenticator app.',
  },
  disabled: { subject: 'Two-step verification is off', lead: 'Two-step verification was turned off for your account: your password alone now logs in.' },
  recovery_code_used: {
    subject: 'A recovery code was used',
    lead: 'One of your recovery codes was just used to log in to your account. It cannot be used again; you can make new codes on your account page.',
  },
  reset: {
    subject: 'Two-step verification was removed',
    lead: 'An administrator removed two-step verification from your account and signed out every session.',
  },
};

/** The notice of a change to the second factor (SPEC "Second factor": enabling, disabling, a recovery code used, the admin reset). */
export const secondFactorNotice = (config: Config, to: string, change: SecondFactorChange) =>
  compose(config, to, {
    subject: SECOND_FACTOR[change].subject,
    lead: [`${SECOND_FACTOR[change].lead} (${config.SERVICE_NAME}, ${to})`],
    notYou: 'If it was not you, reset your password at once and review the account’s security activity.',
  });

/** An invitation into an organization: the token travels only here (the invitee accepts it signed in, with this address verified). */
export const invitationMessage = (config: Config, to: string, organization: string, role: string, token: string) =>
  compose(config, to, {
    subject: `You are invited to ${organization}`,
    lead: [
      `You are invited to join ${organization} on ${config.SERVICE_NAME} as ${role === 'admin' ? 'an admin' : 'a member'}. Sign in (or sign up) with ${to}, verify that address, and accept with the invitation code below. It works once, for 7 days.`,
      `Invitation code: ${token}`,
    ],
    notYou: 'If you did not expect this, ignore this message: nothing happens unless the code is used.',
  });
