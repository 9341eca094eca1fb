import { version as redocVersion } from 'redoc/package.json';
import { version as swaggerUiVersion } from 'swagger-ui-dist/package.json';

/**
 * The third-party files the documentation pages load. They are served by this Worker as static
 * assets (wrangler.toml `[assets]`, directory `public/`), never from a CDN, under versioned URLs
 * `/vendor/<package>@<version>/<file>` that never change meaning, so they are cached as
 * immutable (`public/_headers`). The versions are read from the installed packages, so the
 * lockfile pins them; `scripts/vendor-assets.ts` copies exactly these files from node_modules
 * into `public/vendor/` (git-ignored), and the pages link the same URLs through vendorUrl().
 */
export interface VendorPackage {
  /** The npm package, as in node_modules. */
  readonly name: string;
  readonly version: string;
  /** Paths inside the package: what the page loads, plus the license texts its bundles point to. */
  readonly files: readonly string[];
}

/** Swagger UI at /docs: the bundle (no standalone preset: the base layout needs none) and its stylesheet. */
export const SWAGGER_UI = {
  name: 'swagger-ui-dist',
  version: swaggerUiVersion,
  files: ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-bundle.js.LICENSE.txt', 'LICENSE', 'NOTICE'],
} as const satisfies VendorPackage;

/** ReDoc at /redocs: the standalone bundle (React, styles and its search worker inside). */
export const REDOC = {
  name: 'redoc',
  version: redocVersion,
  files: ['bundles/redoc.standalone.js', 'bundles/redoc.standalone.js.LICENSE.txt', 'LICENSE'],
} as const satisfies VendorPackage;

export const VENDOR_PACKAGES: readonly VendorPackage[] = [SWAGGER_UI, REDOC];

/** The URL path under which the assets directory holds the vendored packages. */
export const VENDOR_PREFIX = '/vendor';

/** The directory of one package version, relative to the assets directory: `vendor/redoc@2.5.4`. */
export const vendorDir = (pkg: VendorPackage) => `${VENDOR_PREFIX.slice(1)}/${pkg.name}@${pkg.version}`;

/** The same-origin URL of one of a package's files: `/vendor/redoc@2.5.4/bundles/redoc.standalone.js`. */
export const vendorUrl = <P extends VendorPackage>(pkg: P, file: P['files'][number]) => `/${vendorDir(pkg)}/${file}`;
