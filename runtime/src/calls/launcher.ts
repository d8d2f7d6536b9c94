import type { Telephony } from '../providers/types.js';

export interface LaunchCallRequest {
  organizationId: string;
  agentId: string;
  channel: 'twilio' | 'browser';
  telephony: Telephony;
  fromNumber?: string | null;
  toNumber?: string | null;
  providerCallId?: string | null;
  /** Custom variables for the manifest's templates (from the carrier's parameters). */
  variables?: Record<string, string>;
}

export interface LaunchedCall {
  callId: string;
  /** Settles when the call is over and its trace is written. */
  done: Promise<void>;
}

/** Starts a voice call for an agent's live version on a carrier leg. */
export interface CallLauncher {
  launch(request: LaunchCallRequest): Promise<LaunchedCall>;
}
