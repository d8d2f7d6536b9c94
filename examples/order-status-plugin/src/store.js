/**
 * The order store: orders in memory, optionally persisted to one JSON file (written atomically
 * after each change). A real vendor would put their database or their shop's API behind the same
 * methods; the tools do not care.
 */
import { randomInt } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  demoOrders,
  formatMoney,
  normalizeOrderNumber,
  OrderError,
  OrderFileSchema,
  speakableDate,
} from './orders.js';

/** @typedef {import('./orders.js').Order} Order */
/** @typedef {import('./orders.js').OrderReturn} OrderReturn */
/** @typedef {import('./orders.js').ReturnReason} ReturnReason */

/**
 * @typedef {object} ReturnRequest
 * @property {string} orderNumber
 * @property {Array<{ sku: string, quantity: number }> | undefined} [items] omitted: every item not yet returned
 * @property {ReturnReason} reason
 * @property {string | undefined} [note]
 * @property {string} idempotencyKey
 */

/**
 * @typedef {object} ReturnProgress
 * @property {(step: number, total: number, message: string) => Promise<void>} [onStep]
 * @property {AbortSignal} [signal] aborted when the caller interrupts: nothing is saved then
 */

/** Letters and digits that cannot be confused when read out over the phone. */
const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY3479';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * @typedef {object} OrderStoreOptions
 * @property {string | undefined} [file] JSON file to load and save; undefined keeps everything in memory
 * @property {number} returnWindowDays days after delivery during which a return is accepted
 * @property {string} timeZone for dates in messages
 * @property {() => Date} [now]
 */

export class OrderStore {
  /** @type {Map<string, Order>} */
  #orders = new Map();
  /** Return requests still running, by idempotency key, so a concurrent retry waits and replays. */
  /** @type {Map<string, Promise<unknown>>} */
  #inFlight = new Map();
  /** @type {Promise<void>} */
  #writes = Promise.resolve();
  #options;

  /**
   * @param {Order[]} orders
   * @param {OrderStoreOptions} options
   */
  constructor(orders, options) {
    this.#options = options;
    for (const order of orders) this.#orders.set(order.orderNumber, order);
  }

  /**
   * Opens the store: from `file` when it exists (validated), else the demo orders — written to
   * `file` when one is given, so the next start finds them.
   * @param {OrderStoreOptions} options
   * @returns {Promise<{ store: OrderStore, source: string }>}
   */
  static async open(options) {
    const now = options.now ?? (() => new Date());
    if (!options.file)
      return { store: new OrderStore(demoOrders(now()), options), source: 'memory (demo orders)' };
    let text;
    try {
      text = await readFile(options.file, 'utf8');
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
      const store = new OrderStore(demoOrders(now()), options);
      await store.#save();
      return { store, source: `${options.file} (created with demo orders)` };
    }
    const parsed = OrderFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `${options.file} is not a valid order file: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return { store: new OrderStore(parsed.data.orders, options), source: options.file };
  }

  /** @param {string} orderNumber as the caller said it */
  findByNumber(orderNumber) {
    return this.#orders.get(normalizeOrderNumber(orderNumber));
  }

  /**
   * Orders placed with this phone number, newest first.
   * @param {string} phone E.164
   */
  findByPhone(phone) {
    return [...this.#orders.values()]
      .filter((order) => order.phone === phone)
      .sort((a, b) => b.placedAt.localeCompare(a.placedAt));
  }

  /**
   * Items of an order that can still be returned, with the quantity left.
   * @param {Order} order
   */
  returnable(order) {
    return order.items
      .map((item) => {
        const returned = order.returns
          .flatMap((r) => r.items)
          .filter((r) => r.sku === item.sku)
          .reduce((sum, r) => sum + r.quantity, 0);
        return { ...item, quantity: item.quantity - returned };
      })
      .filter((item) => item.quantity > 0);
  }

  /**
   * Opens a return for a delivered order. Idempotent by `idempotencyKey`: the same key with the
   * same request returns the first result (`replayed: true`); with a different request it fails.
   * @param {ReturnRequest} request
   * @param {ReturnProgress} [progress]
   * @returns {Promise<{ order: Order, created: OrderReturn, replayed: boolean }>}
   */
  async requestReturn(request, progress = {}) {
    const running = this.#inFlight.get(request.idempotencyKey);
    if (running) await running.catch(() => undefined);
    const attempt = this.#requestReturn(request, progress);
    this.#inFlight.set(request.idempotencyKey, attempt);
    try {
      return await attempt;
    } finally {
      if (this.#inFlight.get(request.idempotencyKey) === attempt)
        this.#inFlight.delete(request.idempotencyKey);
    }
  }

  /**
   * @param {ReturnRequest} request
   * @param {ReturnProgress} progress
   */
  async #requestReturn(request, { onStep, signal }) {
    const orderNumber = normalizeOrderNumber(request.orderNumber);
    const fingerprint = JSON.stringify({
      orderNumber,
      items: request.items ? [...request.items].sort((a, b) => a.sku.localeCompare(b.sku)) : 'all',
      reason: request.reason,
      note: request.note ?? null,
    });
    for (const order of this.#orders.values()) {
      const earlier = order.returns.find((r) => r.idempotencyKey === request.idempotencyKey);
      if (!earlier) continue;
      if (earlier.requestFingerprint !== fingerprint) {
        throw new OrderError(
          'This idempotencyKey was already used for a different return request. Use a new key for a new request.',
        );
      }
      return { order, created: earlier, replayed: true };
    }

    await onStep?.(1, 3, 'Checking the order and the return window');
    const order = this.#orders.get(orderNumber);
    if (!order) {
      throw new OrderError(
        `There is no order ${orderNumber}. Read the number back to the caller, or look their orders up with list_recent_orders.`,
      );
    }
    this.#assertReturnable(order);
    const items = this.#pickItems(order, request.items);

    await onStep?.(2, 3, 'Creating the drop-off code');
    const byPrice = new Map(order.items.map((item) => [item.sku, item.unitPrice]));
    /** @type {OrderReturn} */
    const created = {
      returnId: `R${order.orderNumber}-${order.returns.length + 1}`,
      createdAt: this.#now().toISOString(),
      reason: request.reason,
      ...(request.note ? { note: request.note } : {}),
      items,
      refundAmount: items.reduce((sum, item) => sum + item.quantity * (byPrice.get(item.sku) ?? 0), 0),
      dropOffCode: Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join(''),
      status: 'awaiting_item',
      idempotencyKey: request.idempotencyKey,
      requestFingerprint: fingerprint,
    };

    // The last moment to back out: a caller who interrupted must not find a return they did not want.
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
    await onStep?.(3, 3, 'Saving the return');
    order.returns.push(created);
    try {
      await this.#save();
    } catch (error) {
      // Not durable, so not done: the model gets a failure and the retry starts clean.
      order.returns.pop();
      throw error;
    }
    return { order, created, replayed: false };
  }

  /** @param {Order} order */
  #assertReturnable(order) {
    const { timeZone, returnWindowDays } = this.#options;
    const number = order.orderNumber;
    switch (order.status) {
      case 'processing':
        throw new OrderError(
          `Order ${number} has not shipped yet, so there is nothing to return. This service cannot cancel orders; offer to transfer the caller to a person.`,
        );
      case 'cancelled':
        throw new OrderError(`Order ${number} was cancelled, so there is nothing to return.`);
      case 'shipped': {
        const eta = order.shipping?.estimatedDelivery;
        throw new OrderError(
          `Order ${number} is still on its way${eta ? ` (expected ${speakableDate(eta, timeZone)})` : ''}. A return can be requested once it has been delivered.`,
        );
      }
      case 'delivered': {
        const deliveredAt = order.shipping?.deliveredAt;
        if (!deliveredAt) return;
        const closes = new Date(deliveredAt).getTime() + returnWindowDays * DAY_MS;
        if (this.#now().getTime() > closes) {
          throw new OrderError(
            `Order ${number} was delivered on ${speakableDate(deliveredAt, timeZone)}, more than ${returnWindowDays} days ago, so it is outside the return window. Offer to transfer the caller to a person.`,
          );
        }
      }
    }
  }

  /**
   * @param {Order} order
   * @param {Array<{ sku: string, quantity: number }> | undefined} requested
   */
  #pickItems(order, requested) {
    const left = this.returnable(order);
    if (left.length === 0) {
      throw new OrderError(`Every item of order ${order.orderNumber} is already being returned.`);
    }
    const list = left.map((i) => `${i.sku} (${i.name}, up to ${i.quantity})`).join('; ');
    if (!requested) return left.map((item) => ({ sku: item.sku, quantity: item.quantity }));
    /** @type {Map<string, number>} */
    const wanted = new Map();
    for (const item of requested) {
      const sku = item.sku.trim().toUpperCase();
      wanted.set(sku, (wanted.get(sku) ?? 0) + item.quantity);
    }
    for (const [sku, quantity] of wanted) {
      const available = left.find((item) => item.sku === sku);
      if (!available || quantity > available.quantity) {
        throw new OrderError(
          `${sku} ×${quantity} cannot be returned from order ${order.orderNumber}. Returnable items: ${list}.`,
        );
      }
    }
    return [...wanted].map(([sku, quantity]) => ({ sku, quantity }));
  }

  /** Resolves once every change has reached the file. */
  async close() {
    await this.#writes;
  }

  #now() {
    return (this.#options.now ?? (() => new Date()))();
  }

  /** Writes to a temporary file and renames it, so a crash never leaves half a file. */
  #save() {
    const file = this.#options.file;
    if (!file) return Promise.resolve();
    const text = `${JSON.stringify({ orders: [...this.#orders.values()] }, null, 2)}\n`;
    // A failed write must not block the ones after it.
    this.#writes = this.#writes
      .catch(() => undefined)
      .then(async () => {
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, text, 'utf8');
        await rename(temporary, file);
      });
    return this.#writes;
  }
}

/**
 * What the tools show of a return, in speakable terms.
 * @param {OrderReturn} created
 * @param {Order} order
 */
export function describeReturn(created, order) {
  return `Return ${created.returnId} is open: refund of ${formatMoney(created.refundAmount, order.currency)} once the parcel arrives. Drop-off code ${created.dropOffCode.split('').join(' ')}, at any ${order.shipping?.carrier ?? 'carrier'} location.`;
}
