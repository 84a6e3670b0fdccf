/** The examples menu: choosing one loads it; it names the example the editor holds, if any. */
import { type Example, EXAMPLES } from './examples.js';
import { $ } from './dom.js';

const exampleBox = $<HTMLSelectElement>('example');

/** Fills the menu; `onChoose` loads the example chosen. */
export function initExamplesMenu(onChoose: (ex: Example) => void): void {
  exampleBox.append(new Option('— choose an example —', ''), ...EXAMPLES.map((e) => new Option(e.title, e.id)));
  exampleBox.addEventListener('change', () => {
    const ex = EXAMPLES.find((e) => e.id === exampleBox.value);
    if (ex) onChoose(ex);
  });
}

/** Shows which example `model` is (none if the user has changed it). */
export function showExampleOf(model: string): void {
  exampleBox.value = EXAMPLES.find((e) => e.source === model)?.id ?? '';
}
