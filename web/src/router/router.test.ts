import { describe, expect, it } from 'vitest';
import { matchPath, withQuery } from './router';

describe('matchPath', () => {
  it('matches literal segments and decodes parameters', () => {
    expect(matchPath('/Patient/:id', '/Patient/abc-1')).toEqual({ id: 'abc-1' });
    expect(matchPath('/Patient/:id', '/Patient/a%20b')).toEqual({ id: 'a b' });
    expect(matchPath('/', '/')).toEqual({});
  });
  it('rejects other paths', () => {
    expect(matchPath('/Patient/:id', '/Patient')).toBeUndefined();
    expect(matchPath('/Patient/:id', '/Encounter/1')).toBeUndefined();
    expect(matchPath('/Patient/:id', '/Patient/%E0%A4%A')).toBeUndefined();
  });
});

describe('withQuery', () => {
  it('leaves out empty values', () => {
    expect(withQuery('/', { name: 'lopez', birthdate: '', offset: 0 })).toBe('/?name=lopez');
    expect(withQuery('/', {})).toBe('/');
    expect(withQuery('/', { identifier: 'urn:x|1', offset: 20 })).toBe('/?identifier=urn%3Ax%7C1&offset=20');
  });
});
