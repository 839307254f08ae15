/**
 * Which organization the referral screens act for, decided from what the server says the
 * signed-in user acts for (`GET /notify/acting-for`) and the user's last pick in this browser.
 * The server judges every move and inbox read itself; this only keeps the screens on a side the
 * user really has.
 */
export interface ActingOrganization {
  /** `Organization/<id>` */
  reference: string;
  name: string;
}

export interface ActingChoices {
  /** Administrators (and the system) may act for any organization. */
  any: boolean;
  /** The user's own organizations, their main one first. */
  organizations: ActingOrganization[];
}

/**
 * The acting organization: the stored pick when the user may act for it, else the user's first
 * organization, else none (an administrator without an organization chooses).
 */
export function resolveActing(
  choices: ActingChoices | undefined,
  stored: ActingOrganization | undefined,
): ActingOrganization | undefined {
  if (!choices) return undefined;
  const own = stored && choices.organizations.find((o) => o.reference === stored.reference);
  if (own) return own;
  if (stored && choices.any) return stored;
  return choices.organizations[0];
}

/** A stored pick, when it is one: `{ reference: 'Organization/<id>', name }`. */
export function readStoredChoice(raw: string | null): ActingOrganization | undefined {
  try {
    const v = raw ? (JSON.parse(raw) as ActingOrganization) : undefined;
    return v && typeof v.name === 'string' && /^Organization\/[^/]+$/.test(v.reference) ? v : undefined;
  } catch {
    return undefined;
  }
}
