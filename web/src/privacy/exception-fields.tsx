import { DATA_CLASSES, type ConsentException } from './consent-resource';

const toggle = <T,>(list: T[], item: T, on: boolean, same: (a: T, b: T) => boolean): T[] =>
  on ? [...list.filter((x) => !same(x, item)), item] : list.filter((x) => !same(x, item));

/**
 * The exceptions to a consent decision: each one names organizations, kinds of data, or both, and
 * reverses the decision for them (permit → "except: do not share", deny → "except: do share").
 */
export function ExceptionFields({
  decision,
  organizations,
  exceptions,
  onChange,
}: {
  decision: 'permit' | 'deny';
  organizations: { id: string; name: string }[];
  exceptions: ConsentException[];
  onChange: (next: ConsentException[]) => void;
}) {
  const verb = decision === 'permit' ? 'do not share' : 'do share';
  const update = (i: number, x: ConsentException) => onChange(exceptions.map((e, j) => (j === i ? x : e)));
  return (
    <fieldset className="consent-exceptions">
      <legend>Exceptions</legend>
      {!exceptions.length && (
        <p className="muted">
          None. Add one to {verb} some kinds of data, or with some organizations, for example substance use
          treatment data, or one organization.
        </p>
      )}
      {exceptions.map((x, i) => (
        <div key={i} className="consent-exception" role="group" aria-label={`Exception ${i + 1}`}>
          <p className="exception-title">
            <strong>
              Exception {i + 1}: {verb}
            </strong>{' '}
            <span className="hint">(what is left empty is as above)</span>
          </p>
          <div className="choice-list" role="group" aria-label={`Exception ${i + 1}: recipients`}>
            {organizations.map((o) => (
              <label key={o.id}>
                <input
                  type="checkbox"
                  checked={x.organizations.some((e) => e.id === o.id)}
                  onChange={(ev) =>
                    update(i, {
                      ...x,
                      organizations: toggle(x.organizations, o, ev.target.checked, (a, b) => a.id === b.id),
                    })
                  }
                />{' '}
                {o.name}
              </label>
            ))}
          </div>
          <div className="choice-list" role="group" aria-label={`Exception ${i + 1}: kinds of data`}>
            {DATA_CLASSES.map((c) => (
              <label key={c.code}>
                <input
                  type="checkbox"
                  checked={x.dataClasses.includes(c.code)}
                  onChange={(ev) =>
                    update(i, {
                      ...x,
                      dataClasses: toggle(x.dataClasses, c.code, ev.target.checked, (a, b) => a === b),
                    })
                  }
                />{' '}
                {c.label}
              </label>
            ))}
          </div>
          <button
            type="button"
            className="button"
            onClick={() => onChange(exceptions.filter((_, j) => j !== i))}
          >
            Remove exception {i + 1}
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button"
        onClick={() => onChange([...exceptions, { organizations: [], dataClasses: [] }])}
      >
        Add an exception
      </button>
    </fieldset>
  );
}
