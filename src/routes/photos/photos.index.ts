import { createRouter } from '../../http/router';
import * as handlers from './photos.handlers';
import * as routes from './photos.routes';

export const photosRouter = createRouter()
  .openapi(routes.validatePhoto, handlers.validatePhotoHandler)
  .openapi(routes.getPhoto, handlers.getPhotoHandler)
  .openapi(routes.deletePhoto, handlers.deletePhotoHandler)
  .openapi(routes.listPhotos, handlers.listPhotosHandler)
  .openapi(routes.approvePhoto, handlers.approvePhotoHandler)
  .openapi(routes.rejectPhoto, handlers.rejectPhotoHandler);
