/**
 * Why a browser call could not start or ended badly, said so that a person knows what to do next.
 * Pure functions over what the browser and the server report, so they are unit-tested.
 */
export class CallProblem extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CallProblem';
  }
}

/** A failed `getUserMedia` (a `DOMException` by name), or its absence on an insecure page. */
export function microphoneProblem(error: unknown): CallProblem {
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CallProblem(
        'Microphone blocked',
        'The browser did not allow this page to use the microphone.',
        'Allow the microphone for this site (the camera/microphone icon in the address bar), then call again.',
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new CallProblem(
        'No microphone',
        'The browser found no microphone to use.',
        'Connect a microphone or choose one in your system settings, then call again.',
      );
    case 'NotReadableError':
    case 'AbortError':
      return new CallProblem(
        'Microphone busy',
        'The microphone could not be opened; another application may be using it.',
        'Close the other application or pick another input device, then call again.',
      );
    default:
      return new CallProblem(
        'Microphone unavailable',
        error instanceof Error ? error.message : String(error),
        'Check the browser’s microphone settings, then call again.',
      );
  }
}

/** `navigator.mediaDevices` only exists in a secure context. */
export const insecurePageProblem = () =>
  new CallProblem(
    'Voice calls need a secure page',
    'Browsers only give the microphone to pages served over https:// or from localhost.',
    'Open the studio over HTTPS or at http://localhost, then call again.',
  );

/** The manifest names a secret, or VRM's environment lacks a provider key. */
const NO_KEY = /No API key: set (?:the secret )?([A-Z0-9_]+)/i;

/**
 * What went wrong, from the close of the call's WebSocket (`code`, `reason`) and the last
 * `{"type":"error"}` message before it, if any. Returns undefined for a normal end.
 */
export function closeProblem(input: {
  code: number;
  reason: string;
  serverMessage?: string;
  /** Whether the call had started (`started` received). */
  started: boolean;
  /** Whether this side asked for the end (hang-up). */
  hungUp: boolean;
}): CallProblem | undefined {
  const message = input.serverMessage ?? input.reason;
  if (input.code === 1000 && (input.started || input.hungUp) && !input.serverMessage) return undefined;
  const key = NO_KEY.exec(message);
  if (key) {
    const name = key[1]!;
    return new CallProblem(
      'The agent has no provider keys',
      message,
      `An admin can store ${name} for the organization (PUT /v1/secrets/${name}), or the operator can set it in VRM’s environment. Then call again.`,
    );
  }
  switch (input.code) {
    case 4401:
      return new CallProblem(
        'Signed out',
        message || 'Your session has expired.',
        'Sign in again, then call again.',
      );
    case 4403:
      return new CallProblem(
        'Not allowed',
        message || 'Your role cannot place test calls.',
        'Test calls need the builder role or higher; ask an admin of this organization.',
      );
    case 4400:
    case 4500:
      return new CallProblem(
        'The call could not start',
        message || 'VRM refused the call.',
        'Check that the agent has a live version whose manifest validates, then call again.',
      );
    case 1006:
      return input.started
        ? new CallProblem(
            'The connection dropped',
            'The call’s connection closed unexpectedly, so the call has ended.',
            'Check your network and that VRM is still running; the trace so far is kept. Call again to continue.',
          )
        : new CallProblem(
            'Could not reach VRM',
            'The connection for the call could not be opened.',
            'Check that VRM is running and reachable from this browser, then call again.',
          );
    default:
      return new CallProblem(
        'The call ended unexpectedly',
        `The server closed the connection (code ${input.code}${message ? `: ${message}` : ''}).`,
        'Open the trace to see what happened, then call again.',
      );
  }
}
