import { PURPOSE_NAMES } from '../../../src/privacy/policy/purpose-names';
import { signOut, useSessionUser } from '../session/session';

/** Who is signed in: name, organization, access level and roles, the session's purpose of use, and the way out. */
export function UserSlot() {
  const user = useSessionUser();
  if (!user) return null;
  return (
    <div className="user-slot" aria-label="Signed-in user">
      <span className="user-name">{user.name}</span>
      <span className="user-meta">{[user.organization, user.role].filter(Boolean).join(' · ')}</span>
      <span className="user-meta user-purpose" title={`Purpose of use: ${user.purposeOfUse}`}>
        For {PURPOSE_NAMES[user.purposeOfUse] ?? user.purposeOfUse}
      </span>
      <button type="button" className="sign-out" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}
