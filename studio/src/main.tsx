import { render } from 'solid-js/web';
import { App } from './app.js';
import { createAppState } from './state/app-context.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
render(() => <App state={createAppState()} />, root);
