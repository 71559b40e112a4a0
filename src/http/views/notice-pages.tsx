/** Small pages: the admin sign-in form and a page for errors (not found, admin pages switched off, bad input). */
import { Layout } from './layout.js';

export function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="Sign in">
      <h1>Admin sign-in</h1>
      <form method="post" action="/login" class="card">
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="admin-token">Admin token</label>
          <input id="admin-token" name="token" type="password" autocomplete="current-password" required />
        </div>
        {props.error !== undefined && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <p>
          <button type="submit" class="primary">
            Sign in
          </button>
        </p>
      </form>
    </Layout>
  );
}

export function NoticePage(props: { title: string; message: string }) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p class="card">{props.message}</p>
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </Layout>
  );
}
