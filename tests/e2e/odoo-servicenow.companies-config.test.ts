import { resolveCompanies } from '../../src/pairs/odoo-servicenow/companies.js';
import { odooServiceNowOptions } from '../../src/pairs/odoo-servicenow/options.js';

/** Which Odoo companies a pass covers, and how each reaches ServiceNow (pure resolution). */
const allowed = [
  { id: 2, name: 'Acme Services' },
  { id: 1, name: 'Acme Distribution' },
];
const opts = (o: Record<string, unknown>) => odooServiceNowOptions.parse(o);

describe('odoo-servicenow company resolution', () => {
  test('one allowed company: the pair legal entity, unprefixed references (the single-company form)', () => {
    const [c] = resolveCompanies(opts({ legalEntity: 'Acme Distribution' }), [allowed[1]!]);
    expect(c).toMatchObject({ id: 1, primary: true, prefix: '', legalEntity: 'Acme Distribution' });
  });

  test('every allowed company by default; the lowest id keeps unprefixed references', () => {
    const scopes = resolveCompanies(
      opts({
        legalEntity: 'Acme Distribution',
        companies: {
          'Acme Distribution': { legalEntity: 'Acme Distribution' },
          'Acme Services': { legalEntity: 'Acme Services Ltd', glAccounts: { map: { '601000': '600000' } } },
        },
        glAccounts: { map: { '630000': '639000' } },
      }),
      allowed,
    );
    const byId = new Map(scopes.map((s) => [s.id, s]));
    expect(byId.get(1)).toMatchObject({ prefix: '', primary: true });
    expect(byId.get(2)).toMatchObject({
      prefix: 'C2-',
      primary: false,
      legalEntity: 'Acme Services Ltd',
      glAccountMap: { '630000': '639000', '601000': '600000' },
    });
  });

  test('a company without a legal entity is a config error naming it and the setting', () => {
    expect(() => resolveCompanies(opts({ legalEntity: 'Acme Distribution' }), allowed)).toThrow(
      /Odoo company "Acme Services" \(id 2\) has no ServiceNow legal entity: set pairs\.odoo-servicenow\.companies\."Acme Services"\.legalEntity/,
    );
  });

  test('listing companies narrows the pass to them; an unknown one is named', () => {
    const scopes = resolveCompanies(opts({ companies: { '2': { legalEntity: 'Acme Services' } } }), allowed);
    expect(scopes.map((s) => s.id)).toEqual([2]);
    expect(scopes[0]?.prefix).toBe('C2-');
    expect(() =>
      resolveCompanies(opts({ companies: { 'Acme Ghost': { legalEntity: 'X' } } }), allowed),
    ).toThrow(/Odoo company "Acme Ghost" .* is not one the bot user may use/);
  });

  test('two companies with the same prefix are refused', () => {
    expect(() =>
      resolveCompanies(
        opts({
          companies: {
            'Acme Distribution': { legalEntity: 'A', referencePrefix: 'X-' },
            'Acme Services': { legalEntity: 'B', referencePrefix: 'X-' },
          },
        }),
        allowed,
      ),
    ).toThrow(/would share the reference prefix "X-"/);
  });
});
