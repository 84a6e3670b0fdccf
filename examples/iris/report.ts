/** What a training run shows: the progress bar on stderr and the loss curves as SVG. */
import { linePlot } from './plot.js';
import type { Progress, TrainOptions, TrainResult } from './train.js';

export const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** `epoch 120/200 [#######.....] loss 0.1234 · accuracy train 97.5% test 96.7%` */
export function progressLine(p: Progress, width = 30): string {
  const filled = Math.round((width * p.epoch) / p.epochs);
  const n = String(p.epochs).length;
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const acc = p.last
    ? ` · accuracy train ${percent(p.last.trainAccuracy).padStart(6)} test ${percent(p.last.testAccuracy).padStart(6)}`
    : '';
  return `epoch ${String(p.epoch).padStart(n)}/${p.epochs} [${bar}] loss ${p.loss.toFixed(4)}${acc}`;
}

/**
 * The progress bar: on a terminal one line redrawn with \r (at most every 40 ms, and
 * the last epoch), otherwise one line every 10 epochs and at the last.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  let drawn = 0;
  return (p) => {
    const last = p.epoch === p.epochs;
    if (stream.isTTY) {
      const now = performance.now();
      if (!last && now - drawn < 40) return;
      drawn = now;
      const line = progressLine(p);
      const cols = stream.columns ?? 0;
      stream.write(`\r${cols > 0 && line.length >= cols ? line.slice(0, cols - 1) : line}\x1b[K${last ? '\n' : ''}`);
    } else if (p.epoch % 10 === 0 || last) stream.write(`${progressLine(p)}\n`);
  };
}

/**
 * The loss curves of a run as an SVG document: the loss on the training and the test
 * flowers after each evaluated epoch (0: the initial weights), so both lines are
 * measured on the same weights (`losses`, the mean over an epoch's steps, is what the
 * progress bar shows).
 */
export function lossPlot(r: TrainResult): string {
  const final = r.evaluations[r.evaluations.length - 1]!;
  const kernels = r.backend === 'wgsl' ? 'WGSL kernels (f32, WebGPU)' : `TypeScript kernels (${r.dtype})`;
  return linePlot(
    [
      {
        label: `training loss (${r.trainSize} flowers)`,
        points: r.evaluations.map((e) => [e.epoch, e.trainLoss] as const),
      },
      {
        label: `test loss (${r.testSize} flowers)`,
        points: r.evaluations.map((e) => [e.epoch, e.testLoss] as const),
        dashed: true,
      },
    ],
    {
      title: `Iris: a 4–${r.hidden}–3 MLP trained with matdiff's gradients`,
      subtitle: `${kernels} · final loss ${final.trainLoss.toFixed(4)} (test ${final.testLoss.toFixed(4)}) · accuracy: training ${percent(r.trainAccuracy)}, test ${percent(r.testAccuracy)}`,
      xLabel: 'epoch',
      yLabel: 'cross-entropy loss',
      xMin: 0,
      yMin: 0,
    },
  );
}

/** The lines train.ts prints on stdout after a run (before the plot's path). */
export function summary(r: TrainResult, opts: TrainOptions): string[] {
  const final = r.evaluations[r.evaluations.length - 1]!;
  const count = (acc: number, n: number) => `${percent(acc)} (${Math.round(acc * n)}/${n})`;
  return [
    `${r.engine}`,
    `network 4–${r.hidden}–3, ${r.trainSize} training / ${r.testSize} test flowers, ${r.epochs} epochs, lr ${opts.lr ?? 0.1}, momentum ${opts.momentum ?? 0.9}, ${opts.batch ? `minibatches of ${opts.batch}` : 'full batch'}, seed ${opts.seed ?? 1}`,
    `loss ${r.evaluations[0]!.trainLoss.toFixed(4)} → ${final.trainLoss.toFixed(4)} (test ${final.testLoss.toFixed(4)})`,
    `accuracy: training ${count(r.trainAccuracy, r.trainSize)}, test ${count(r.testAccuracy, r.testSize)}`,
    `time: compile ${r.timings.compileMs.toFixed(0)} ms, training ${r.timings.trainMs.toFixed(0)} ms (${r.timings.msPerEpoch.toFixed(3)} ms per epoch), evaluation ${r.timings.evalMs.toFixed(0)} ms`,
  ];
}
