// vega-lite spec → vega → SVG (vega's own renderer, headless) → PNG (@resvg/resvg-js).
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_FONT_FAMILY, chartFontFile } from './font.js';

export interface RenderedChart {
  readonly svg: string;
  readonly png: Uint8Array;
}

/** PNGs are drawn at twice the SVG's size so they stay sharp on high-density screens. */
const PNG_SCALE = 2;

export async function renderChart(spec: TopLevelSpec): Promise<RenderedChart> {
  const withFont: TopLevelSpec = { ...spec, config: { font: CHART_FONT_FAMILY, background: 'white', legend: { labelLimit: 420 }, ...spec.config } };
  const view = new View(parse(compile(withFont).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const resvg = new Resvg(svg, {
    font: { fontFiles: [chartFontFile()], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
  });
  return { svg, png: resvg.render().asPng() };
}
