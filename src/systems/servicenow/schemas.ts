import { z } from 'zod';

/**
 * zod shapes of ServiceNow payloads (api notes §2, §3, §5). Every scalar arrives as a string
 * (`"true"`, `"12.50"`, `""` for empty); references as a sys_id string when
 * `sysparm_exclude_reference_link=true`, else `{link, value}`.
 */
/**
 * One row with every value as a string: scalars as text, null as `''`, a reference `{link, value}`
 * as its sys_id. The values are normalised by hand inside one zod transform rather than by a zod
 * union per value: this runs for every value of every row read (the Import Set result polls of a
 * large pass read hundreds of thousands), and the union allocated twenty times as much.
 */
export const snRow = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'expected a row object',
  )
  .transform((raw, ctx) => {
    const out: Record<string, string> = {};
    for (const key of Object.keys(raw)) {
      const v = raw[key];
      if (typeof v === 'string') out[key] = v;
      else if (v === null) out[key] = '';
      else if (typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
      else if (typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string')
        out[key] = (v as { value: string }).value;
      else {
        ctx.issues.push({
          code: 'custom',
          message: 'expected a string, a number, a boolean, null or a reference {value}',
          input: v,
          path: [key],
        });
        return z.NEVER;
      }
    }
    return out;
  });

/** `GET /api/now/table/{t}` */
export const tableListBody = z.object({ result: z.array(snRow) });
/** `GET /api/now/table/{t}/{sys_id}`, POST, PATCH */
export const tableOneBody = z.object({ result: snRow });

/** One element of an Import Set answer: one per transform map that ran. */
export const importResult = z.object({
  transform_map: z.string().optional(),
  table: z.string().optional(),
  display_name: z.string().optional(),
  display_value: z.string().optional(),
  record_link: z.string().optional(),
  status: z.string(),
  sys_id: z.string().optional(),
  status_message: z.string().optional(),
  error_message: z.string().optional(),
});
/** `POST /api/now/import/{staging}` */
export const importBody = z.object({
  import_set: z.string().optional(),
  staging_table: z.string().optional(),
  result: z.array(importResult),
});
/** `POST /api/now/import/{staging}/insertMultiple` (asynchronous transform) */
export const insertMultipleBody = z.object({
  import_set_id: z.string(),
  multi_import_set_id: z.string().optional(),
});

/** `POST /oauth_token.do` */
export const tokenBody = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  expires_in: z.union([z.number(), z.string()]).transform(Number),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});

/** The error envelope of every REST API (§5). */
export const errorBody = z.object({
  error: z.object({ message: z.string().nullish(), detail: z.string().nullish() }),
  status: z.string().optional(),
});
