// The soak's memory verdict: does the monitor's RSS keep growing once it has warmed up? docs/soak.md
// explains the rule and its defaults. Pure: a series of samples in, a verdict out.
import { median } from '../lib/stats.js';

export interface RssPoint {
  /** Seconds since the soak started. */
  readonly tSec: number;
  readonly rssMb: number;
}

export interface GrowthRule {
  /** Samples before this are not judged: heaps, caches and pools are still finding their size. */
  readonly warmUpSec: number;
  /** The fitted slope over the judged samples must exceed this to fail… */
  readonly maxSlopeMbPerMin: number;
  /** …and the last third's median must exceed the middle third's by more than the larger of these. */
  readonly marginMb: number;
  readonly marginFraction: number;
  /** Fewer judged samples than this cannot be judged, and the soak fails for it. */
  readonly minSamples: number;
}

export const DEFAULT_GROWTH_RULE: Omit<GrowthRule, 'warmUpSec'> = {
  maxSlopeMbPerMin: 1,
  marginMb: 5,
  marginFraction: 0.03,
  minSamples: 9,
};

export interface GrowthVerdict {
  /** `false` when there were too few samples after the warm-up to judge. */
  readonly judged: boolean;
  /** The soak fails when this is true, or when nothing could be judged. */
  readonly growing: boolean;
  readonly reason: string;
  readonly samples: number;
  readonly slopeMbPerMin: number | null;
  readonly middleMedianMb: number | null;
  readonly lastMedianMb: number | null;
  /** The rise of the last third over the middle third that counts as growth. */
  readonly marginMb: number | null;
}

/**
 * Theil–Sen: the median of the slopes between every pair of points. Unlike least squares, a few GC
 * spikes or a step cannot tilt it: up to 29% of the points can be wild without moving it far.
 */
export function theilSenSlope(points: readonly RssPoint[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i];
      const b = points[j];
      if (a === undefined || b === undefined || b.tSec === a.tSec) continue;
      slopes.push((b.rssMb - a.rssMb) / (b.tSec - a.tSec));
    }
  }
  return median(slopes);
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function judgeGrowth(series: readonly RssPoint[], rule: GrowthRule): GrowthVerdict {
  const judged = series.filter((point) => point.tSec >= rule.warmUpSec).sort((a, b) => a.tSec - b.tSec);
  if (judged.length < rule.minSamples) {
    return {
      judged: false,
      growing: false,
      reason: `only ${judged.length} samples after the ${rule.warmUpSec} s warm-up, ${rule.minSamples} needed to judge memory growth: run longer or sample more often`,
      samples: judged.length,
      slopeMbPerMin: null,
      middleMedianMb: null,
      lastMedianMb: null,
      marginMb: null,
    };
  }
  const third = Math.floor(judged.length / 3);
  const middle = median(judged.slice(third, 2 * third).map((point) => point.rssMb));
  const last = median(judged.slice(judged.length - third).map((point) => point.rssMb));
  const slope = theilSenSlope(judged) * 60;
  const margin = Math.max(rule.marginMb, rule.marginFraction * middle);
  const rise = last - middle;
  const steep = slope > rule.maxSlopeMbPerMin;
  const risen = rise > margin;
  const figures =
    `RSS slope ${slope.toFixed(2)} MB/min (limit ${rule.maxSlopeMbPerMin}), last third ${last.toFixed(1)} MB against ` +
    `middle third ${middle.toFixed(1)} MB: ${rise >= 0 ? '+' : ''}${rise.toFixed(1)} MB (margin ${margin.toFixed(1)} MB), over ${judged.length} samples after the warm-up`;
  return {
    judged: true,
    growing: steep && risen,
    reason:
      steep && risen
        ? `memory keeps growing: ${figures}`
        : steep
          ? `memory rose, then levelled off: ${figures}`
          : `memory is flat: ${figures}`,
    samples: judged.length,
    slopeMbPerMin: round(slope),
    middleMedianMb: round(middle, 1),
    lastMedianMb: round(last, 1),
    marginMb: round(margin, 1),
  };
}
