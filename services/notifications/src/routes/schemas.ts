import { Id, Latitude, Longitude, RegionCode, ShortText } from '@homeward/events';
import { Type } from '@sinclair/typebox';
import { UNIT_KINDS } from '../store/unit-store.ts';

export const UnitParams = Type.Object({ unitId: Id });
export const AlertParams = Type.Object({ alertId: Id });

const Location = Type.Object({ lat: Latitude, lon: Longitude }, { additionalProperties: false });
const UnitKind = Type.Union(UNIT_KINDS.map((k) => Type.Literal(k)));

export const UnitBody = Type.Object(
  {
    name: ShortText,
    kind: UnitKind,
    location: Location,
    region: RegionCode,
    agencyId: Type.Optional(
      Type.String({
        ...Id,
        description:
          'the agency whose `unit` API keys act for this unit (acks, live channel); defaults to the unit id',
      }),
    ),
    webhook: Type.Object(
      {
        url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
        secret: Type.String({
          minLength: 16,
          maxLength: 200,
          description: 'the signing secret; `whsec_<base64>` means the decoded bytes are the key',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A unit as answered: the webhook secret is never returned. */
export const UnitView = Type.Object({
  unitId: Id,
  name: Type.String(),
  kind: UnitKind,
  location: Location,
  region: Type.String(),
  agencyId: Type.String(),
  webhook: Type.Object({ url: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const AckBody = Type.Object({ unitId: Id }, { additionalProperties: false });
export const AckView = Type.Object({
  alertId: Type.String(),
  unitId: Type.String(),
  acknowledgedAt: Type.String({ format: 'date-time' }),
});

const Nullable = (t: ReturnType<typeof Type.Integer>) => Type.Union([t, Type.Null()]);
export const CoverageView = Type.Object({
  alertId: Type.String(),
  caseId: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('cancelled')]),
  step: Type.Integer(),
  radiusKm: Type.Number(),
  targeted: Type.Integer({ description: 'units claimed for this alert (every step)' }),
  notified: Type.Integer({ description: 'units the alert was delivered to' }),
  failed: Type.Integer(),
  pending: Type.Integer(),
  acknowledged: Type.Integer(),
  timeToFirstDeliveryMs: Nullable(Type.Integer()),
  timeTo90PercentMs: Nullable(Type.Integer()),
  cancellation: Type.Optional(
    Type.Object({
      reason: Type.String(),
      notified: Type.Integer(),
      failed: Type.Integer(),
      pending: Type.Integer(),
    }),
  ),
});
