import { useSessionUser } from '../session/session';

/** Who is signed in. Until sign-in exists it says so plainly. */
export function UserSlot() {
  const user = useSessionUser();
  if (!user) {
    return (
      <div className="user-slot" aria-label="Signed-in user">
        <span className="user-name">Not signed in</span>
        <span className="user-meta">Sign-in comes with privacy and security</span>
      </div>
    );
  }
  return (
    <div className="user-slot" aria-label="Signed-in user">
      <span className="user-name">{user.name}</span>
      <span className="user-meta">{[user.role, user.organization].filter(Boolean).join(' · ')}</span>
    </div>
  );
}
