import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_NAMES } from '../../functions/adapters/workflows.js';
import { allStates, localStepArns, substitute, taskSteps, type AslMachine } from '../../functions/steps/asl.js';
import { steps } from '../../functions/steps/index.js';

interface Validation {
  isValid: boolean;
  errorsText: (separator?: string) => string;
}
// asl-validator is CommonJS and ships no types.
const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => Validation;

const WORKFLOWS = fileURLToPath(new URL('../../workflows', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/workflows', import.meta.url));

const definitionsIn = (dir: string): { file: string; text: string }[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.asl.json'))
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));

const all = [...definitionsIn(WORKFLOWS), ...definitionsIn(FIXTURES)];

describe('workflow definitions', () => {
  it('pass asl-validator as Step Functions gets them (placeholders substituted), in JSONPath mode', () => {
    expect(definitionsIn(FIXTURES).length).toBeGreaterThan(0);
    for (const { file, text } of all) {
      // Act
      const machine = JSON.parse(text) as AslMachine & { QueryLanguage?: string };
      const result = validate(JSON.parse(substitute(text, localStepArns(machine))));
      // Assess
      expect(result.errorsText('\n'), file).toBe('');
      expect(result.isValid, file).toBe(true);
      expect(machine.QueryLanguage ?? 'JSONPath', file).toBe('JSONPath');
      for (const [state, body] of allStates(machine)) {
        expect(Object.keys(body), `${file} ${state}`).not.toContain('Assign');
        expect(Object.keys(body), `${file} ${state}`).not.toContain('QueryLanguage');
      }
    }
  });

  it("are Tally's workflows, one file each, whose every step is in the step registry", () => {
    // Assess
    const files = definitionsIn(WORKFLOWS);
    expect(files.map((f) => f.file).sort()).toEqual(WORKFLOW_NAMES.map((name: string) => `${name}.asl.json`).sort());
    for (const { file, text } of files) {
      const named = Object.values(taskSteps(JSON.parse(text) as AslMachine));
      expect(
        named.filter((step) => !steps[step]),
        file,
      ).toEqual([]);
    }
  });
});
