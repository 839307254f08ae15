import { Link } from '../router/link';
import { useDocumentTitle } from '../ui/document-title';

export function NotFound({ pathname }: { pathname: string }) {
  useDocumentTitle('Page not found');
  return (
    <div className="page">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. <Link to="/">Search for a person</Link> or choose a page
        from the navigation.
      </p>
    </div>
  );
}
