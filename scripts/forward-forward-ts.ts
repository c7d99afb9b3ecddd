#!/usr/bin/env node
// The package's command (package.json "bin"): `npx forward-forward-ts COMMAND [flags]` runs the
// script of that name with those flags, exactly as `npx tsx scripts/COMMAND.ts [flags]` does in a
// checkout; `npx forward-forward-ts COMMAND --help` lists a command's flags.
//
//   npx forward-forward-ts train --epochs 2 --save model.safetensors
//   npx forward-forward-ts eval model.safetensors
//   npx forward-forward-ts --help
const COMMANDS: Record<string, { about: string; run: () => Promise<unknown> }> = {
  train: { about: 'train a network on MNIST or any IDX data set and print its test error', run: () => import('./train.ts') },
  eval: { about: 'test error of a saved model (per iteration for a recurrent one)', run: () => import('./eval.ts') },
  readout: { about: 'train a softmax head on the frozen layers of a saved model', run: () => import('./readout.ts') },
  report: { about: 'an HTML report of a saved model (curves, receptive fields, goodness)', run: () => import('./report.ts') },
  inspect: { about: 'the trace of one training step: every tensor of a step, as JSON', run: () => import('./inspect.ts') },
  play: { about: 'serve the playground on 127.0.0.1: train in the browser, draw a digit', run: () => import('./play.ts') },
};

const USAGE = `Usage: npx forward-forward-ts COMMAND [flags]

Forward-Forward networks in TypeScript. Commands (each takes --help):
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.about}`).join('\n')}
`;

const [command, ...flags] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  (command === undefined ? process.stderr : process.stdout).write(USAGE);
  process.exitCode = command === undefined ? 2 : 0;
} else if (!Object.hasOwn(COMMANDS, command)) {
  process.stderr.write(`error: unknown command '${command}' (one of ${Object.keys(COMMANDS).join(', ')}; --help lists them)\n`);
  process.exitCode = 2;
} else {
  // The script reads its flags from process.argv.slice(2), as when it is run by itself.
  process.argv = [process.argv[0]!, process.argv[1]!, ...flags];
  await COMMANDS[command]!.run();
}
