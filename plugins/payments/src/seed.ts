import type { Db } from '@vrm/plugin-kit';
import type { LedgerBackend } from './ledger/ledger-backend.js';
import { customers } from './schema.js';

/** Demo ledger data, written only when `PAYMENTS_SEED_DEMO=1`; skipped when any customer exists. */
export async function seedLedgerDemo(db: Db, ledger: LedgerBackend, now = new Date()) {
  const [existing] = await db.select({ id: customers.id }).from(customers).limit(1);
  if (existing) return { customersCreated: 0, invoicesCreated: 0 };
  const jane = await ledger.createCustomer({
    name: 'Jane Doe',
    email: 'jane.doe@example.com',
    phone: '+14155550123',
  });
  const john = await ledger.createCustomer({
    name: 'John Smith',
    email: 'john.smith@example.com',
    phone: '+14155550188',
  });
  const due = new Date(now.getTime() + 14 * 86_400_000);
  await ledger.createInvoice({
    customerId: jane.id,
    amountDue: 18_950,
    currency: 'usd',
    number: 'INV-1001',
    description: 'Boiler service',
    dueDate: due,
  });
  await ledger.createInvoice({
    customerId: jane.id,
    amountDue: 4_500,
    currency: 'usd',
    number: 'INV-1002',
    description: 'Call-out fee',
    dueDate: due,
  });
  await ledger.createInvoice({
    customerId: john.id,
    amountDue: 32_000,
    currency: 'usd',
    number: 'INV-1003',
    description: 'Pipe replacement',
    dueDate: due,
  });
  return { customersCreated: 2, invoicesCreated: 3 };
}
