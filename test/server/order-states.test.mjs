import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { IllegalTransition, TRANSITIONS, mermaidDiagram, transitionList } from '../../demo/server/order-states.ts';
import { Store, openDatabase } from '../../demo/server/store.ts';

/** The order's states and moves: one table (order-states.ts), which the store enforces and ARCHITECTURE.md draws. */
describe('the order state machine', () => {
  let store;
  before(async () => {
    store = new Store(await openDatabase({ log: () => {} })); // in memory
  });
  after(() => store?.sql.close());

  const newOrder = async () => {
    const number = `PWK-${crypto.randomUUID().slice(0, 10)}`;
    return store.createOrder({
      id: `order-${crypto.randomUUID()}`,
      kind: 'purchase',
      amount: 100,
      currency: 'USD',
      lines: [],
      purchaseReference: number,
      transactionReference: `${number}-tx`,
    });
  };

  it('a move the table does not allow is refused, and the order stays where it was', async () => {
    const order = await newOrder();
    assert.equal(order.status, 'open');
    assert.ok(!TRANSITIONS.open.includes('paid'));
    await assert.rejects(
      store.transition(order.id, ['open'], { status: 'paid' }),
      (error) => error instanceof IllegalTransition && /from open to paid/.test(error.message),
    );
    // one illegal from-state among legal ones refuses the whole move
    await assert.rejects(
      store.transition(order.id, ['open', 'paid'], { status: 'authorizing' }),
      /from paid to authorizing/,
    );
    assert.equal((await store.order(order.id)).status, 'open');
  });

  it('a move the table allows is made, once, from the state it names', async () => {
    const order = await newOrder();
    const claimed = await store.transition(order.id, ['open'], { status: 'authorizing' });
    assert.equal(claimed?.status, 'authorizing');
    // the same move again finds the order no longer open: nothing changes
    assert.equal(await store.transition(order.id, ['open'], { status: 'authorizing' }), undefined);
    assert.equal((await store.order(order.id)).status, 'authorizing');
  });

  it('a paid order moves nowhere', async () => {
    assert.deepEqual(TRANSITIONS.paid, []);
    for (const to of Object.keys(TRANSITIONS)) {
      await assert.rejects(store.transition('any', ['paid'], { status: to }), IllegalTransition);
    }
  });

  it("ARCHITECTURE.md's diagram lists exactly the table's transitions", async () => {
    const page = await readFile(new URL('../../ARCHITECTURE.md', import.meta.url), 'utf8');
    const diagrams = [...page.matchAll(/```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/g)].map((match) => match[1]);
    assert.equal(diagrams.length, 1, 'one state diagram in ARCHITECTURE.md');
    const drawn = diagrams[0]
      .split('\n')
      .map((line) => /^\s*(\S+)\s*-->\s*([^\s:]+)/.exec(line))
      .filter(Boolean)
      .map(([, from, to]) => `${from} --> ${to}`);
    const table = ['[*] --> open', ...transitionList().map(([from, to]) => `${from} --> ${to}`)];
    assert.deepEqual([...drawn].sort(), [...table].sort());
    assert.equal(new Set(drawn).size, drawn.length, 'no transition drawn twice');
    assert.ok(mermaidDiagram().startsWith('stateDiagram-v2'));
  });
});
