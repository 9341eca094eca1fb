import { createRoute } from '@hono/zod-openapi';
import { bearer, json, ProblemSchema, problems } from '../../http/openapi';
import { requireAuth } from '../../middleware/require-auth';
import { admin } from '../../policy/rules';
import { PhotoIdParam, PhotoListQuery, PhotoPageSchema, PhotoSchema, PhotoUploadSchema } from '../../schemas/photo';
import { UserSchema, UserUuidParam } from '../../schemas/user';
import { uploaderOnly } from './photos.middleware';

const tags = ['Photos'];
const misconfigured = {
  503: { content: { 'application/problem+json': { schema: ProblemSchema } }, description: 'The recognizer is not configured' },
};

export const validatePhoto = createRoute({
  method: 'post',
  path: '/user/{uuid}/validate_photo',
  tags,
  summary: 'Upload a photo for celebrity recognition (self only)',
  description:
    'Multipart field `file`: a JPEG, PNG or WebP photo, recognised by its bytes, at most PHOTO_MAX_BYTES. ' +
    'A remote recognizer that sees your own `name surname` makes you celebrity (200 + User); ' +
    'the manual recognizer queues the photo for an admin (202 + Photo). Not recognised: 403, nothing kept.',
  security: bearer,
  middleware: [requireAuth(), uploaderOnly()] as const,
  request: {
    params: UserUuidParam,
    body: { required: true, content: { 'multipart/form-data': { schema: PhotoUploadSchema } } },
  },
  responses: {
    200: json(UserSchema, 'Recognised: the user, now celebrity (an admin stays admin)'),
    202: json(PhotoSchema, 'Stored and waiting in the review queue (manual recognizer)'),
    ...problems(400, 401, 403, 404, 413, 415, 422, 429, 502, 504),
    ...misconfigured,
  },
});

const photoHeaders = {
  'X-Photo-Id': { schema: { type: 'string' as const, format: 'uuid' }, description: 'The photo shown' },
  'X-Photo-Status': { schema: { type: 'string' as const, enum: ['pending', 'accepted'] }, description: 'Its review status' },
};
const binary = { schema: { type: 'string' as const, format: 'binary' } };

export const getPhoto = createRoute({
  method: 'get',
  path: '/user/{uuid}/photo',
  tags,
  summary: "The user's latest accepted or pending photo (self or admin)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: UserUuidParam },
  responses: {
    200: {
      description: 'The photo bytes, with the content type they were recognised as',
      headers: photoHeaders,
      content: { 'image/jpeg': binary, 'image/png': binary, 'image/webp': binary },
    },
    ...problems(401, 404),
  },
});

export const deletePhoto = createRoute({
  method: 'delete',
  path: '/user/{uuid}/photo',
  tags,
  summary: "Delete the user's photos (self or admin)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: UserUuidParam },
  responses: { 204: { description: 'Deleted from R2 and D1' }, ...problems(400, 401, 404, 413) },
});

export const listPhotos = createRoute({
  method: 'get',
  path: '/photos',
  tags,
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  summary: 'The review queue: photos by status, oldest first (admin)',
  request: { query: PhotoListQuery },
  responses: { 200: json(PhotoPageSchema, 'A page of photos'), ...problems(401, 403, 422) },
});

export const approvePhoto = createRoute({
  method: 'post',
  path: '/photos/{id}/approve',
  tags,
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  summary: 'Accept a pending photo; its user becomes celebrity (an admin stays admin)',
  request: { params: PhotoIdParam },
  responses: { 200: json(PhotoSchema, 'The accepted photo'), ...problems(400, 401, 403, 404, 409, 413) },
});

export const rejectPhoto = createRoute({
  method: 'post',
  path: '/photos/{id}/reject',
  tags,
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  summary: 'Reject a pending photo; its bytes are deleted from R2',
  request: { params: PhotoIdParam },
  responses: { 200: json(PhotoSchema, 'The rejected photo'), ...problems(400, 401, 403, 404, 409, 413) },
});
