// What the REST endpoint adds for the web dashboard (Flink's flink-runtime-web on top of the
// DispatcherRestEndpoint): the static files, and with web.submit.enable the jar handlers the
// "Submit New Job" page uses. Everything else the UI shows comes from the public REST API.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RestOptions } from '../configuration/index.js';
import type { Dispatcher } from '../jobmanager/dispatcher/Dispatcher.js';
import type { RestHandlerContext } from '../rest/handlers/RestHandlerContext.js';
import { registerJarHandlers } from './handlers/JarHandlers.js';
import { WebStaticFileHandler } from './WebStaticFileHandler.js';

export { isWebAssetRequest } from './WebStaticFileHandler.js';

export class WebMonitor {
  private readonly files = WebStaticFileHandler.load();

  constructor(private readonly dispatcher: Dispatcher, private readonly uploadDir: string, private readonly log: { info(msg: string): void }) {}

  register(app: FastifyInstance, ctx: RestHandlerContext): void {
    this.files.register(app);
    if (ctx.configuration.get(RestOptions.WEB_SUBMIT_ENABLE)) {
      registerJarHandlers(ctx, { dispatcher: this.dispatcher, jarDir: join(this.uploadDir, 'jars'), log: this.log });
    }
  }
}
