/**
 * A small local server that answers the Stripe REST endpoints the backend calls, in Stripe's
 * shapes (from the API reference): form-encoded bodies with bracketed keys, `Bearer sk_…` auth,
 * `Idempotency-Key` replay and `idempotency_error` on reuse with other parameters, JSON objects
 * carrying `object`, list envelopes and `{error:{type,code,message,param}}` errors. For tests only.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type StripeObject = Record<string, unknown> & { id: string; object: string };

export interface RecordedStripeRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  idempotencyKey: string | undefined;
}

interface Stored {
  fingerprint: string;
  status: number;
  body: unknown;
}

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const now = () => Math.floor(Date.now() / 1000);

/** The fake's state and request log; tests seed it and assert on it. */
export class StripeTestState {
  readonly customers = new Map<string, StripeObject>();
  readonly invoices = new Map<string, StripeObject>();
  readonly prices = new Map<string, StripeObject>();
  readonly paymentLinks = new Map<string, StripeObject>();
  readonly paymentIntents = new Map<string, StripeObject>();
  readonly refunds = new Map<string, StripeObject>();
  readonly balanceTransactions: StripeObject[] = [];
  readonly requests: RecordedStripeRequest[] = [];
  private counter = 0;

  nextId(prefix: string): string {
    this.counter++;
    return `${prefix}_test${String(this.counter).padStart(6, '0')}`;
  }

  addCustomer(fields: { name: string; email?: string; phone?: string; currency?: string; balance?: number }) {
    const customer: StripeObject = {
      id: this.nextId('cus'),
      object: 'customer',
      balance: fields.balance ?? 0,
      created: now(),
      currency: fields.currency ?? 'usd',
      email: fields.email ?? null,
      livemode: false,
      metadata: {},
      name: fields.name,
      phone: fields.phone ?? null,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  addInvoice(fields: {
    customer: string;
    amount: number;
    currency?: string;
    number?: string;
    description?: string;
  }) {
    const id = this.nextId('in');
    const invoice: StripeObject = {
      id,
      object: 'invoice',
      amount_due: fields.amount,
      amount_paid: 0,
      amount_remaining: fields.amount,
      created: now(),
      currency: fields.currency ?? 'usd',
      customer: fields.customer,
      description: fields.description ?? null,
      due_date: null,
      hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/${id}`,
      livemode: false,
      metadata: {},
      number: fields.number ?? null,
      paid_out_of_band: false,
      status: 'open',
    };
    this.invoices.set(id, invoice);
    return invoice;
  }

  addPaymentIntent(fields: { customer: string; amount: number; currency?: string }) {
    const intent: StripeObject = {
      id: this.nextId('pi'),
      object: 'payment_intent',
      amount: fields.amount,
      amount_received: fields.amount,
      currency: fields.currency ?? 'usd',
      customer: fields.customer,
      status: 'succeeded',
      created: now(),
      livemode: false,
      metadata: {},
      refunded: 0,
    };
    this.paymentIntents.set(intent.id, intent);
    return intent;
  }
}

const list = (url: string, data: unknown[]) => ({ object: 'list', data, has_more: false, url });

function notFound(kind: string, id: string): never {
  throw new StripeHttpError(
    404,
    'invalid_request_error',
    `No such ${kind}: '${id}'`,
    'resource_missing',
    'id',
  );
}

function required(form: Record<string, string>, key: string): string {
  const value = form[key];
  if (value === undefined)
    throw new StripeHttpError(
      400,
      'invalid_request_error',
      `Missing required param: ${key}.`,
      'parameter_missing',
      key,
    );
  return value;
}

/** Routes one request; returns the JSON body for a 200. */
function route(
  state: StripeTestState,
  method: string,
  path: string,
  query: URLSearchParams,
  form: Record<string, string>,
): unknown {
  const parts = path.split('/').filter(Boolean); // ['v1', resource, id?, action?]
  const [, resource, id, action] = parts;
  const limit = Number(query.get('limit') ?? 10);

  if (resource === 'customers' && method === 'GET' && id === 'search') {
    const q = query.get('query') ?? '';
    const clauses = [...q.matchAll(/(\w+)([:~])"((?:[^"\\]|\\.)*)"/g)];
    const data = [...state.customers.values()].filter((c) =>
      clauses.every(([, field, op, raw]) => {
        const value = String(c[field!] ?? '').toLowerCase();
        const wanted = raw!.replace(/\\(.)/g, '$1').toLowerCase();
        return op === '~' ? value.includes(wanted) : value === wanted;
      }),
    );
    return {
      object: 'search_result',
      data: data.slice(0, limit),
      has_more: false,
      next_page: null,
      url: '/v1/customers/search',
    };
  }
  if (resource === 'customers' && method === 'GET' && !id) {
    const email = query.get('email');
    return list(
      '/v1/customers',
      [...state.customers.values()].filter((c) => !email || c.email === email).slice(0, limit),
    );
  }
  if (resource === 'customers' && id && action === 'balance_transactions' && method === 'POST') {
    const customer = state.customers.get(id) ?? notFound('customer', id);
    const amount = Number(required(form, 'amount'));
    customer.balance = (customer.balance as number) + amount;
    const txn: StripeObject = {
      id: state.nextId('cbtxn'),
      object: 'customer_balance_transaction',
      amount,
      created: now(),
      currency: required(form, 'currency'),
      customer: id,
      description: form.description ?? null,
      ending_balance: customer.balance,
      livemode: false,
      metadata: Object.fromEntries(
        Object.entries(form)
          .filter(([k]) => k.startsWith('metadata['))
          .map(([k, v]) => [k.slice(9, -1), v]),
      ),
      type: 'adjustment',
    };
    state.balanceTransactions.push(txn);
    return txn;
  }
  if (resource === 'customers' && id && method === 'GET')
    return state.customers.get(id) ?? notFound('customer', id);

  if (resource === 'invoices' && method === 'GET' && !id) {
    const customer = query.get('customer');
    const status = query.get('status');
    const data = [...state.invoices.values()]
      .filter((i) => (!customer || i.customer === customer) && (!status || i.status === status))
      .reverse();
    return list('/v1/invoices', data.slice(0, limit));
  }
  if (resource === 'invoices' && id && action === 'pay' && method === 'POST') {
    const invoice = state.invoices.get(id) ?? notFound('invoice', id);
    if (invoice.status !== 'open')
      throw new StripeHttpError(
        400,
        'invalid_request_error',
        'Invoice is already paid',
        'invoice_already_paid',
      );
    Object.assign(invoice, {
      status: 'paid',
      paid_out_of_band: form.paid_out_of_band === 'true',
      amount_paid: invoice.amount_due,
      amount_remaining: 0,
    });
    return invoice;
  }
  if (resource === 'invoices' && id && method === 'GET')
    return state.invoices.get(id) ?? notFound('invoice', id);

  if (resource === 'prices' && method === 'POST') {
    const price: StripeObject = {
      id: state.nextId('price'),
      object: 'price',
      active: true,
      currency: required(form, 'currency'),
      unit_amount: Number(required(form, 'unit_amount')),
      product: state.nextId('prod'),
      type: 'one_time',
      created: now(),
      livemode: false,
    };
    state.prices.set(price.id, price);
    return price;
  }
  if (resource === 'payment_links' && method === 'POST') {
    const price =
      state.prices.get(required(form, 'line_items[0][price]')) ??
      notFound('price', form['line_items[0][price]']!);
    const linkId = state.nextId('plink');
    const link: StripeObject = {
      id: linkId,
      object: 'payment_link',
      active: true,
      currency: price.currency,
      livemode: false,
      metadata: Object.fromEntries(
        Object.entries(form)
          .filter(([k]) => k.startsWith('metadata['))
          .map(([k, v]) => [k.slice(9, -1), v]),
      ),
      url: `https://buy.stripe.com/test_${linkId}`,
    };
    state.paymentLinks.set(linkId, link);
    return link;
  }
  if (resource === 'refunds' && method === 'POST') {
    const intentId = form.payment_intent;
    const intent = intentId
      ? (state.paymentIntents.get(intentId) ?? notFound('payment_intent', intentId))
      : undefined;
    if (!intent)
      throw new StripeHttpError(
        400,
        'invalid_request_error',
        'One of `charge` or `payment_intent` is required.',
        'parameter_missing',
      );
    const refundable = (intent.amount_received as number) - (intent.refunded as number);
    const amount = form.amount ? Number(form.amount) : refundable;
    if (amount > refundable) {
      throw new StripeHttpError(
        400,
        'invalid_request_error',
        `Refund amount ($${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${(refundable / 100).toFixed(2)})`,
        'amount_too_large',
        'amount',
      );
    }
    intent.refunded = (intent.refunded as number) + amount;
    const refund: StripeObject = {
      id: state.nextId('re'),
      object: 'refund',
      amount,
      charge: `ch_for_${intent.id}`,
      created: now(),
      currency: intent.currency,
      metadata: {},
      payment_intent: intent.id,
      reason: form.reason ?? null,
      status: 'succeeded',
    };
    state.refunds.set(refund.id, refund);
    return refund;
  }
  throw new StripeHttpError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, requestId: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId });
  res.end(JSON.stringify(body));
}

/** Starts the fake on 127.0.0.1 (ephemeral port). `apiBase` goes into `STRIPE_API_BASE`. */
export async function startStripeTestServer(secretKey: string) {
  const state = new StripeTestState();
  const idempotent = new Map<string, Stored>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(raw));
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    state.requests.push({ method, path: url.pathname, form, idempotencyKey });
    const requestId = `req_${state.nextId('x')}`;
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      send(
        res,
        401,
        { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } },
        requestId,
      );
      return;
    }
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname}\n${raw}`).digest('hex');
    if (method === 'POST' && idempotencyKey) {
      const stored = idempotent.get(idempotencyKey);
      if (stored && stored.fingerprint !== fingerprint) {
        send(
          res,
          400,
          {
            error: {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
          },
          requestId,
        );
        return;
      }
      if (stored) {
        res.setHeader('idempotent-replayed', 'true');
        send(res, stored.status, stored.body, requestId);
        return;
      }
    }
    let status = 200;
    let body: unknown;
    try {
      body = route(state, method, url.pathname, url.searchParams, form);
    } catch (error) {
      if (!(error instanceof StripeHttpError)) throw error;
      status = error.status;
      body = {
        error: {
          type: error.type,
          message: error.message,
          ...(error.code && { code: error.code }),
          ...(error.param && { param: error.param }),
        },
      };
    }
    if (method === 'POST' && idempotencyKey) idempotent.set(idempotencyKey, { fingerprint, status, body });
    send(res, status, body, requestId);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    apiBase: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
