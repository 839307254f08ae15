import { CAPABILITIES, type Capability } from '../capabilities';
import { Link } from '../router/link';

interface NavProps {
  pathname: string;
  id: string;
  open: boolean;
  onNavigate: () => void;
}

/** The main navigation: one list per section; the current page is marked for assistive technology. */
export function Nav({ pathname, id, open, onNavigate }: NavProps) {
  const sections = new Map<string, Capability[]>();
  for (const c of CAPABILITIES) sections.set(c.section, [...(sections.get(c.section) ?? []), c]);
  // The page itself is "page"; a person page opened from the search marks the search as its section.
  const current = (c: Capability): 'page' | 'true' | undefined => {
    if (c.path === pathname) return 'page';
    if (c.path === '/' && pathname.startsWith('/Patient/')) return 'true';
    if (c.path !== '/' && pathname.startsWith(`${c.path}/`)) return 'true';
    return undefined;
  };
  return (
    <nav id={id} className={open ? 'main-nav open' : 'main-nav'} aria-label="Main">
      {[...sections].map(([section, items]) => {
        const headingId = `nav-${section.toLowerCase().replace(/\W+/g, '-')}`;
        return (
          <div className="nav-section" key={section}>
            <h2 id={headingId} className="nav-heading">
              {section}
            </h2>
            <ul aria-labelledby={headingId}>
              {items.map((c) => (
                <li key={c.path}>
                  <Link to={c.path} aria-current={current(c)} onClick={onNavigate}>
                    <span>{c.label}</span>
                    {c.audience && (
                      <span className="nav-tag">
                        <span className="visually-hidden"> (</span>
                        {c.audience}
                        <span className="visually-hidden">)</span>
                      </span>
                    )}
                    {c.coming && <span className="visually-hidden"> (coming)</span>}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}
