// The legend of a numeric "colour by": a gradient bar with its low and high ends, beside the
// colour-by dropdown; hidden for categorical colouring (the run list is that legend).
import { $ } from './chartKit';
import type { RunColours } from './palette';

export function drawColourScale(colours: RunColours): void {
  const scale = colours.scale;
  $('colourScale').hidden = !scale;
  if (!scale) return;
  $('colourScaleLow').textContent = scale.low;
  $('colourScaleHigh').textContent = scale.high;
  $('colourScale').title = `${scale.label}, log scale: ${scale.low} to ${scale.high}`;
  // Through the CSSOM, which the CSP allows (no inline style attributes).
  $('colourScaleBar').style.background = `linear-gradient(to right, ${scale.stops.join(', ')})`;
}
