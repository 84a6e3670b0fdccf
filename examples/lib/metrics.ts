/** Classification metrics over the models' probability layout P [classes, B]. */

/** The fraction of columns of P [classes, B] whose largest entry is the label's. */
export function accuracy(P: ArrayLike<number>, labels: readonly number[]): number {
  const B = labels.length;
  const classes = P.length / B;
  let right = 0;
  for (let j = 0; j < B; j++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (P[c * B + j]! > P[best * B + j]!) best = c;
    if (best === labels[j]) right++;
  }
  return right / B;
}
