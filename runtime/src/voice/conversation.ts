import type { ChatMessage, ToolCallRequest } from '../providers/types.js';
import { indexAfterWords } from './sentences.js';

type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[]; generationId: number }
  | { role: 'tool'; toolCallId: string; content: string };

type AssistantMessage = Extract<Message, { role: 'assistant' }>;

/** One piece of spoken agent text; `message` is undefined for speech kept out of the history (fillers). */
interface Spoken {
  text: string;
  message: AssistantMessage | undefined;
}

/**
 * The conversation history sent to the model. It records agent speech per generation so an
 * interruption can cut the assistant text down to the words the caller actually heard: the model
 * must not believe it said what was never played.
 */
export class Conversation {
  private readonly items: Message[] = [];
  private readonly spoken = new Map<number, Spoken[]>();
  /** Generations cut by an interruption: their late text is not the agent's any more. */
  private readonly closed = new Set<number>();

  constructor(instructions: string) {
    if (instructions.trim() !== '') this.items.push({ role: 'system', content: instructions });
  }

  /** A snapshot for a model request. */
  get messages(): readonly ChatMessage[] {
    return this.items.map((m) => (m.role === 'assistant' ? toChat(m) : { ...m }));
  }

  get lastUserText(): string | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const m = this.items[i]!;
      if (m.role === 'user') return m.content;
    }
    return undefined;
  }

  addUser(text: string): void {
    this.items.push({ role: 'user', content: text });
  }

  /** Adds agent speech of `generationId`. `inHistory: false` keeps it out of the model's context. */
  addSpoken(generationId: number, text: string, options: { inHistory?: boolean } = {}): void {
    if (this.closed.has(generationId)) return;
    let pieces = this.spoken.get(generationId);
    if (!pieces) {
      pieces = [];
      this.spoken.set(generationId, pieces);
    }
    if (options.inHistory === false) {
      pieces.push({ text, message: undefined });
      return;
    }
    const last = this.items[this.items.length - 1];
    let message: AssistantMessage;
    if (last?.role === 'assistant' && last.generationId === generationId && !last.toolCalls) {
      message = last;
      message.content += text;
    } else {
      message = { role: 'assistant', content: text, generationId };
      this.items.push(message);
    }
    pieces.push({ text, message });
  }

  /** Records the model's tool calls, on the generation's open assistant message when there is one. */
  addToolCalls(generationId: number, calls: readonly ToolCallRequest[]): void {
    const last = this.items[this.items.length - 1];
    if (last?.role === 'assistant' && last.generationId === generationId && !last.toolCalls) {
      last.toolCalls = [...calls];
    } else {
      this.items.push({ role: 'assistant', content: '', toolCalls: [...calls], generationId });
    }
  }

  addToolResult(toolCallId: string, content: string): void {
    this.items.push({ role: 'tool', toolCallId, content });
  }

  /** Everything `generationId` has spoken so far, in order. */
  spokenText(generationId: number): string {
    return (this.spoken.get(generationId) ?? []).map((p) => p.text).join('');
  }

  /** The caller heard all of `generationId`: an interruption can no longer cut it. */
  settle(generationId: number): void {
    this.spoken.delete(generationId);
  }

  /**
   * Barge-in: cuts every unsettled generation up to `upTo` (all when negative) to the words the
   * caller heard (`heard(id)`, 0 for replies never played). Returns the unheard text.
   */
  interrupt(upTo: number, heard: (generationId: number) => number): string {
    const remainders: string[] = [];
    for (const id of [...this.spoken.keys()]) {
      if (upTo >= 0 && id > upTo) continue;
      const rest = this.truncate(id, heard(id));
      if (rest) remainders.push(rest);
    }
    return remainders.join(' ');
  }

  /**
   * Keeps only the first `heardWords` words of what `generationId` said and removes the rest from
   * the history. Returns the unheard text that was in the history (what a resume would repeat).
   */
  truncate(generationId: number, heardWords: number): string {
    const pieces = this.spoken.get(generationId);
    this.spoken.delete(generationId);
    this.closed.add(generationId);
    if (!pieces) return '';
    const full = pieces.map((p) => p.text).join('');
    let heardChars = indexAfterWords(full, heardWords);
    let remainder = '';
    const touched = new Set<AssistantMessage>();
    for (const piece of pieces) {
      const keep = Math.max(0, Math.min(piece.text.length, heardChars));
      heardChars -= piece.text.length;
      if (keep === piece.text.length) continue;
      if (piece.message) remainder += piece.text.slice(keep);
      piece.text = piece.text.slice(0, keep);
      if (piece.message) touched.add(piece.message);
    }
    for (const message of touched) {
      message.content = pieces
        .filter((p) => p.message === message)
        .map((p) => p.text)
        .join('')
        .trimEnd();
      if (message.content.trim() === '' && !message.toolCalls) {
        const index = this.items.indexOf(message);
        if (index >= 0) this.items.splice(index, 1);
      }
    }
    return remainder.trim();
  }
}

function toChat(m: AssistantMessage): ChatMessage {
  return m.toolCalls
    ? { role: 'assistant', content: m.content, toolCalls: m.toolCalls }
    : { role: 'assistant', content: m.content };
}
