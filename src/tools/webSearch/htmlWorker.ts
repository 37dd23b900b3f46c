// Worker thread entry: HTML → readable text, off the event loop (see htmlOffThread.ts).
import { serveJobs } from '../../infra/workerPool.js';
import { htmlTitle, htmlToReadableText } from './htmlText.js';

serveJobs((html: string) => ({ title: htmlTitle(html), text: htmlToReadableText(html) }));
