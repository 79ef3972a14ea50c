<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>RequestLogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tokens (prompt + answer)</source>
        <translation>词元（提示词 + 回答）</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
</context>
<context>
    <name>ServerControl</name>
    <message>
        <source>Could not start the server</source>
        <translation>无法启动服务器</translation>
    </message>
    <message>
        <source>Could not stop the server</source>
        <translation>无法停止服务器</translation>
    </message>
</context>
<context>
    <name>ServerLayout</name>
    <message>
        <source>Off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Serve the loaded model over HTTP, for editors and scripts on this machine</source>
        <translation>通过 HTTP 提供已加载的模型，供本机的编辑器和脚本调用</translation>
    </message>
    <message>
        <source>The server is off.</source>
        <translation>服务器已关闭。</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <source>shown once the server is on</source>
        <translation>服务器开启后显示</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Options (change them while the server is off)</source>
        <translation>选项（请在服务器关闭时修改）</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Listen on:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>no key: any program on this machine may call</source>
        <translation>无密钥：本机的任何程序都可以调用</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>接口密钥：</translation>
    </message>
    <message>
        <source>Never start without a key (off this machine it never does)</source>
        <translation>没有密钥时绝不启动（监听本机以外的地址时始终如此）</translation>
    </message>
    <message>
        <source>one origin a line, e.g. http://localhost:3000 (none: browsers may not call)</source>
        <translation>每行一个来源，例如 http://localhost:3000（留空：浏览器不能调用）</translation>
    </message>
    <message>
        <source>CORS origins:</source>
        <translation>CORS 来源：</translation>
    </message>
    <message>
        <source>Offer the open repository to clients</source>
        <translation>向客户端提供打开的仓库</translation>
    </message>
    <message>
        <source>Client snippet</source>
        <translation>客户端代码片段</translation>
    </message>
    <message>
        <source>Copy snippet</source>
        <translation>复制代码片段</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>No requests yet.</source>
        <translation>还没有请求。</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
</context>
<context>
    <name>ServerWindow</name>
    <message>
        <source>Local server</source>
        <translation>本地服务器</translation>
    </message>
    <message>
        <source>Address copied.</source>
        <translation>地址已复制。</translation>
    </message>
    <message>
        <source>API key copied.</source>
        <translation>接口密钥已复制。</translation>
    </message>
    <message>
        <source>The server cannot use these options: {reason}.</source>
        <translation>服务器无法使用这些选项：{reason}。</translation>
    </message>
    <message>
        <source>Listening on {host} lets other machines on the network reach the model. A key is required; anyone with it can use the model and, when offered, read the open repository. Keep 127.0.0.1 unless you need this.</source>
        <translation>监听 {host} 会让网络上的其他机器访问模型。此时必须设置密钥；任何持有密钥的人都能使用模型，提供仓库时还能读取打开的仓库。除非确有需要，请保持 127.0.0.1。</translation>
    </message>
    <message>
        <source>Could not read the key</source>
        <translation>无法读取密钥</translation>
    </message>
    <message>
        <source>No key set.</source>
        <translation>未设置密钥。</translation>
    </message>
    <message>
        <source>Every client must send it as &apos;Authorization: Bearer &lt;key&gt;&apos;. Kept in {where}.</source>
        <translation>每个客户端都必须以“Authorization: Bearer &lt;密钥&gt;”发送它。保存在{where}。</translation>
    </message>
    <message>
        <source>Every client must send it as &apos;Authorization: Bearer &lt;key&gt;&apos;.</source>
        <translation>每个客户端都必须以“Authorization: Bearer &lt;密钥&gt;”发送它。</translation>
    </message>
    <message>
        <source>Could not keep the key</source>
        <translation>无法保存密钥</translation>
    </message>
    <message>
        <source>Reading the API key…</source>
        <translation>正在读取接口密钥…</translation>
    </message>
    <message>
        <source>A key is needed to listen on {host}: press Generate, then switch on again.</source>
        <translation>监听 {host} 需要密钥：请点击“生成”，然后重新打开开关。</translation>
    </message>
    <message>
        <source>No repository is open: the server starts without one.</source>
        <translation>没有打开的仓库：服务器将不提供仓库而启动。</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>On</source>
        <translation>开</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>The server is off.</source>
        <translation>服务器已关闭。</translation>
    </message>
    <message>
        <source>Stopping: running answers are cancelled…</source>
        <translation>正在停止：正在生成的回答将被取消…</translation>
    </message>
    <message>
        <source>On at {address} (port {asked} was taken, so {port} is used).</source>
        <translation>已在 {address} 开启（端口 {asked} 已被占用，改用 {port}）。</translation>
    </message>
    <message>
        <source>On at {address}.</source>
        <translation>已在 {address} 开启。</translation>
    </message>
    <message>
        <source>{state} Clients may ask about {name} (&quot;repository&quot;: &quot;{name}&quot;).</source>
        <translation>{state}客户端可以询问 {name}（&quot;repository&quot;: &quot;{name}&quot;）。</translation>
    </message>
    <message>
        <source>The server is off: it could not start.</source>
        <translation>服务器已关闭：未能启动。</translation>
    </message>
    <message>
        <source>Loading {name}: requests get an error until it has loaded.</source>
        <translation>正在加载 {name}：加载完成之前，请求会收到错误。</translation>
    </message>
    <message>
        <source>No model is loaded: requests get an error until one is (load one in Models, Ctrl+M).</source>
        <translation>未加载模型：加载模型之前，请求会收到错误（在“模型”窗口中加载，Ctrl+M）。</translation>
    </message>
    <message>
        <source>Serves {name} (context {n_ctx} tokens), queued with the chat&apos;s answers.</source>
        <translation>正在提供 {name}（上下文 {n_ctx} 词元），与对话的回答一起排队。</translation>
    </message>
    <message>
        <source>Snippet copied.</source>
        <translation>代码片段已复制。</translation>
    </message>
    <message numerus="yes">
        <source>{count} request(s) (the last {shown} shown)</source>
        <translation>
            <numerusform>{count} 个请求（显示最近的 {shown} 个）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{count} request(s)</source>
        <translation>
            <numerusform>{count} 个请求</numerusform>
        </translation>
    </message>
    <message>
        <source>No requests yet.</source>
        <translation>还没有请求。</translation>
    </message>
    <message>
        <source>Offer the open repository ({name}) to clients</source>
        <translation>向客户端提供打开的仓库（{name}）</translation>
    </message>
    <message>
        <source>Offer the open repository to clients (none is open now)</source>
        <translation>向客户端提供打开的仓库（当前没有打开的仓库）</translation>
    </message>
</context>
</TS>
