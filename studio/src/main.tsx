import { render } from 'solid-js/web';
import { App } from './app.js';
import { createAppState } from './state/app-context.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/editor.css';
import './styles/trace.css';
import './styles/call.css';
// Last, so the narrow-width rules override the ones above.
import './styles/responsive.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
render(() => <App state={createAppState()} />, root);
