/**
 * How the rules area checks JSON it is given: every problem names its field path, so the cloud,
 * the console and the rules file all get the same per-field answer.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

/** Reports one problem at a path relative to what is being checked. */
export type Bad = (path: string, message: string) => void;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
