/** The widths every page is checked and photographed at: the narrowest phone the SPEC names, and a laptop. */
export const WIDTHS = [320, 1280] as const;
export type Width = (typeof WIDTHS)[number];

/** Height of the viewport at those widths (full-page screenshots extend past it). */
export const VIEWPORT_HEIGHT = 800;
