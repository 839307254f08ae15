/**
 * Loads the demo county through whatever posts a transaction Bundle (the FHIR layer in-process, or an
 * HTTP client). Bundles are posted one at a time, in order: the directory first, since people's
 * records refer to its organizations, staff and services.
 */
import { generateDemoCounty, type DemoOptions, type DemoCounty } from './county';
import type { Bundle } from './fhir';

export interface LoadDemoOptions extends DemoOptions {
  /** Called after each bundle is posted (for a progress bar). */
  onBundle?: (done: number, total: number, bundle: Bundle) => void;
}

export interface LoadDemoResult {
  bundles: number;
  resources: number;
  county: DemoCounty;
}

export async function loadDemo(
  postBundle: (bundle: Bundle) => Promise<unknown>,
  options: LoadDemoOptions = {},
): Promise<LoadDemoResult> {
  const county = generateDemoCounty(options);
  let resources = 0;
  for (const [i, bundle] of county.bundles.entries()) {
    await postBundle(bundle);
    resources += bundle.entry.length;
    options.onBundle?.(i + 1, county.bundles.length, bundle);
  }
  return { bundles: county.bundles.length, resources, county };
}
