import { createSignal, For, type JSX, Show } from 'solid-js';
import type { JsonSchema } from '../api/types.js';

type FieldKind = 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: unknown[];
  defaultValue?: unknown;
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The fields of an object schema, one per property, by the property's type. */
export function fieldsOf(schema: JsonSchema): Field[] {
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(record(schema.properties)).map(([name, raw]) => {
    const prop = record(raw);
    const type = Array.isArray(prop.type) ? prop.type.find((t) => t !== 'null') : prop.type;
    const kind: FieldKind = Array.isArray(prop.enum)
      ? 'enum'
      : type === 'string'
        ? 'text'
        : type === 'number'
          ? 'number'
          : type === 'integer'
            ? 'integer'
            : type === 'boolean'
              ? 'boolean'
              : 'json';
    return {
      name,
      kind,
      required: required.has(name),
      description: typeof prop.description === 'string' ? prop.description : undefined,
      options: Array.isArray(prop.enum) ? prop.enum : undefined,
      defaultValue: prop.default,
    };
  });
}

/** Reads the form into tool arguments; a field that cannot be read gets a message. */
export function readArguments(
  fields: Field[],
  form: FormData,
): { args: Record<string, unknown>; errors: Record<string, string> } {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    if (field.kind === 'boolean') {
      args[field.name] = form.get(field.name) === 'on';
      continue;
    }
    const raw = String(form.get(field.name) ?? '');
    if (raw.trim() === '') {
      if (field.required) errors[field.name] = 'is required';
      continue;
    }
    if (field.kind === 'number' || field.kind === 'integer') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (field.kind === 'integer' && !Number.isInteger(n))) {
        errors[field.name] = field.kind === 'integer' ? 'must be a whole number' : 'must be a number';
      } else args[field.name] = n;
    } else if (field.kind === 'json') {
      try {
        args[field.name] = JSON.parse(raw);
      } catch {
        errors[field.name] = 'must be valid JSON';
      }
    } else if (field.kind === 'enum') {
      args[field.name] = field.options?.find((o) => String(o) === raw) ?? raw;
    } else args[field.name] = raw;
  }
  return { args, errors };
}

/** A form built from a tool's input schema; submits the typed arguments. */
export function SchemaForm(props: {
  schema: JsonSchema;
  idPrefix: string;
  submitLabel: string;
  busy?: boolean;
  extra?: JSX.Element;
  onSubmit(args: Record<string, unknown>): void;
}) {
  const fields = () => fieldsOf(props.schema);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = readArguments(fields(), new FormData(event.currentTarget as HTMLFormElement));
    setErrors(result.errors);
    if (Object.keys(result.errors).length === 0) props.onSubmit(result.args);
  };
  const id = (name: string) => `${props.idPrefix}-${name}`;
  const initial = (f: Field) =>
    f.defaultValue === undefined
      ? ''
      : typeof f.defaultValue === 'string'
        ? f.defaultValue
        : JSON.stringify(f.defaultValue);
  return (
    <form class="schema-form stack-sm" onSubmit={submit} novalidate>
      <Show when={fields().length > 0} fallback={<p class="muted small">This tool takes no arguments.</p>}>
        <For each={fields()}>
          {(f) => (
            <div class="field">
              <label class="field-label" for={id(f.name)}>
                {f.name}
                {f.required ? ' *' : ''} <span class="muted">{f.kind === 'json' ? 'JSON' : f.kind}</span>
              </label>
              <Show when={f.kind === 'boolean'}>
                <input id={id(f.name)} name={f.name} type="checkbox" checked={f.defaultValue === true} />
              </Show>
              <Show when={f.kind === 'enum'}>
                <select id={id(f.name)} name={f.name}>
                  <Show when={!f.required}>
                    <option value="">—</option>
                  </Show>
                  <For each={f.options}>{(o) => <option value={String(o)}>{String(o)}</option>}</For>
                </select>
              </Show>
              <Show when={f.kind === 'json'}>
                <textarea id={id(f.name)} name={f.name} rows={3} class="mono" value={initial(f)} />
              </Show>
              <Show when={f.kind === 'text' || f.kind === 'number' || f.kind === 'integer'}>
                <input
                  id={id(f.name)}
                  name={f.name}
                  type={f.kind === 'text' ? 'text' : 'number'}
                  step={f.kind === 'integer' ? '1' : 'any'}
                  value={initial(f)}
                  aria-invalid={errors()[f.name] ? 'true' : undefined}
                />
              </Show>
              <Show when={errors()[f.name]}>
                <span class="field-error">
                  {f.name} {errors()[f.name]}
                </span>
              </Show>
              <Show when={f.description}>
                <span class="field-hint">{f.description}</span>
              </Show>
            </div>
          )}
        </For>
      </Show>
      {props.extra}
      <div>
        <button class="btn btn-primary btn-small" type="submit" disabled={props.busy}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
