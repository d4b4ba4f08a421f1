import { z } from 'zod';

/** Shapes of ServiceTitan v2 envelopes (api notes §3.1, §3.2, §9); rows are checked for an id only. */
export const rowSchema = z.object({ id: z.number().int() }).passthrough();
export type StRow = z.infer<typeof rowSchema>;

/** `{page, pageSize, hasMore, totalCount, data}`; `totalCount` is null unless `includeTotal=true`. */
export const pageSchema = z.object({
  page: z.number().int(),
  pageSize: z.number().int(),
  hasMore: z.boolean(),
  totalCount: z.number().int().nullable().optional(),
  data: z.array(rowSchema),
});

/** `{hasMore, continueFrom, data}` of the export endpoints. */
export const exportSchema = z.object({
  hasMore: z.boolean(),
  continueFrom: z.string(),
  data: z.array(rowSchema),
});

/** `POST .../purchase-orders` and other creates answering `ModificationResponse`. */
export const modificationSchema = z.object({ id: z.number().int() }).passthrough();

/** `POST .../invoices/markasexported` answer, one entry per invoice. */
export const markExportedSchema = z.array(
  z.object({
    invoiceId: z.number().int(),
    success: z.boolean(),
    errorMessage: z.string().nullable().optional(),
  }),
);

/** `POST .../payments` answer (`Accounting.V2.PaymentResponse`). */
export const paymentResponseSchema = z
  .object({
    id: z.number().int(),
    typeId: z.number().int(),
    exportId: z.string().nullable().optional(),
    memo: z.string().nullable().optional(),
    splits: z.array(
      z
        .object({
          amount: z.union([z.string(), z.number()]).nullable().optional(),
          invoiceId: z.number().int().nullable().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
