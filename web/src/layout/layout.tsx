import { useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { InboxBadge } from '../referrals/inbox-badge';
import { Link } from '../router/link';
import { Nav } from './nav';
import { UserSlot } from './user-slot';

interface LayoutProps {
  pathname: string;
  children: ReactNode;
}

/** Page frame: skip link, banner with the user, main navigation and the main region. */
export function Layout({ pathname, children }: LayoutProps) {
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const shownPath = useRef(pathname);

  // After client-side navigation, move focus to the new page's heading so screen readers announce it.
  // Not on first load, and not twice for one path (StrictMode runs effects twice in development).
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    (heading ?? mainRef.current)?.focus();
  }, [pathname]);

  const skipToMain = (e: MouseEvent<HTMLAnchorElement>): void => {
    e.preventDefault();
    mainRef.current?.focus();
    mainRef.current?.scrollIntoView();
  };

  return (
    <>
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      <header className="banner">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            K
          </span>
          <span className="brand-name">Kith</span>
          <span className="brand-tagline">Whole-person care record</span>
        </Link>
        <InboxBadge pathname={pathname} />
        <UserSlot />
      </header>
      <div className="shell">
        <Nav pathname={pathname} id="main-nav" open={menuOpen} onNavigate={() => setMenuOpen(false)} />
        <main id="main" ref={mainRef} tabIndex={-1}>
          {children}
        </main>
      </div>
    </>
  );
}
