<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ModelCard</name>
    <message>
        <source>{quant} · {size} · recommended here</source>
        <translation>{quant} · {size} · 本机推荐</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <source>Recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <source>The model recommended for this machine (see the line at the top)</source>
        <translation>为本机推荐的模型（见顶部说明）</translation>
    </message>
    <message>
        <source>{does} · {parameters} parameters</source>
        <translation>{does} · {parameters} 参数</translation>
    </message>
    <message>
        <source>Quantization: fewer bits are smaller and faster, more bits closer to the original</source>
        <translation>量化：位数越少，文件越小、速度越快；位数越多，越接近原始模型</translation>
    </message>
    <message>
        <source>Quant</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>{name} is loaded</source>
        <translation>{name} 已加载</translation>
    </message>
</context>
<context>
    <name>ModelNote</name>
    <message>
        <source>Tiny model shipped with the app: instant and offline, good for trying the app, weak at real code.</source>
        <translation>随应用附带的小模型：即开即用、离线可用，适合试用本应用，但不擅长真正的代码。</translation>
    </message>
    <message>
        <source>Recommended start: interactive on most laptops; also infills.</source>
        <translation>推荐入门：在大多数笔记本电脑上都能流畅交互；也支持代码填充。</translation>
    </message>
    <message>
        <source>Interactive on most laptops; also infills.</source>
        <translation>在大多数笔记本电脑上都能流畅交互；也支持代码填充。</translation>
    </message>
    <message>
        <source>Better answers than 7B; also infills; needs more memory than the 7B (see Fit).</source>
        <translation>回答比 7B 更好；也支持代码填充；比 7B 需要更多内存（见“适配”）。</translation>
    </message>
    <message>
        <source>Strong but slow on CPU; no infill. A large GPU or a lot of RAM.</source>
        <translation>能力强，但在 CPU 上很慢；不支持代码填充。需要大显存 GPU 或大量内存。</translation>
    </message>
    <message>
        <source>The best Code Llama; its own prompt format; about 45 GB at Q4.</source>
        <translation>最强的 Code Llama；使用自己的提示词格式；Q4 量化约 45 GB。</translation>
    </message>
    <message>
        <source>The base model: the best Code Llama for fill-in-the-middle; not for chat.</source>
        <translation>基础模型：最适合中间填充的 Code Llama；不用于聊天。</translation>
    </message>
    <message>
        <source>Strong for its size; infills, with repository context. Large quantizations may be split into parts on the hub.</source>
        <translation>同等规模中能力很强；支持代码填充和仓库上下文。较大的量化版本在 Hub 上可能分成多个文件。</translation>
    </message>
    <message>
        <source>Mixture of experts (2.4B active): fast for its quality. A community GGUF conversion.</source>
        <translation>混合专家模型（激活 2.4B 参数）：以它的质量而言速度很快。社区转换的 GGUF。</translation>
    </message>
    <message>
        <source>A base model for fill-in-the-middle only. A community GGUF conversion.</source>
        <translation>只用于中间填充的基础模型。社区转换的 GGUF。</translation>
    </message>
</context>
<context>
    <name>ModelRow</name>
    <message>
        <source>built in</source>
        <translation>内置</translation>
    </message>
    <message>
        <source>imported (on disk)</source>
        <translation>已导入（在磁盘上）</translation>
    </message>
    <message>
        <source>downloaded</source>
        <translation>已下载</translation>
    </message>
    <message>
        <source>paused (resumable)</source>
        <translation>已暂停（可继续）</translation>
    </message>
    <message>
        <source>not downloaded</source>
        <translation>未下载</translation>
    </message>
    <message>
        <source>file missing</source>
        <translation>文件缺失</translation>
    </message>
    <message>
        <source>? (size unknown)</source>
        <translation>?（大小未知）</translation>
    </message>
    <message>
        <source>{verdict} · needs about {size} GiB</source>
        <translation>{verdict} · 约需 {size} GiB</translation>
    </message>
    <message>
        <source>its size is unknown until it is checked on the hub</source>
        <translation>在 Hub 上检查之前，它的大小未知</translation>
    </message>
    <message>
        <source>speed unknown (size unknown)</source>
        <translation>速度未知（大小未知）</translation>
    </message>
    <message>
        <source>{percent}% · {speed} MB/s, {left} left (retrying)</source>
        <translation>{percent}% · {speed} MB/s，剩余 {left}（正在重试）</translation>
    </message>
    <message>
        <source>{percent}% · {speed} MB/s, {left} left</source>
        <translation>{percent}% · {speed} MB/s，剩余 {left}</translation>
    </message>
    <message>
        <source>{percent}% · {speed} MB/s (retrying)</source>
        <translation>{percent}% · {speed} MB/s（正在重试）</translation>
    </message>
    <message>
        <source>{percent}% · {speed} MB/s</source>
        <translation>{percent}% · {speed} MB/s</translation>
    </message>
    <message>
        <source>failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
    <message>
        <source>paused at {percent}%</source>
        <translation>已暂停于 {percent}%</translation>
    </message>
    <message>
        <source>size ?</source>
        <translation>大小 ?</translation>
    </message>
</context>
<context>
    <name>ModelsWindow</name>
    <message>
        <source>Read the model file&apos;s header from the hub before downloading it</source>
        <translation>下载前先从 Hub 读取模型文件的头部信息</translation>
    </message>
    <message>
        <source>Checking this machine…</source>
        <translation>正在检查本机…</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>再次检查</translation>
    </message>
    <message>
        <source>Try to reach the hub again</source>
        <translation>再次尝试连接 Hub</translation>
    </message>
    <message>
        <source>Show it</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Search models (name, size, quantization)…</source>
        <translation>搜索模型（名称、大小、量化）…</translation>
    </message>
    <message>
        <source>Fits this machine</source>
        <translation>适合本机</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>已下载</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Infill</source>
        <translation>代码填充</translation>
    </message>
    <message>
        <source>No model matches the search and filters.</source>
        <translation>没有符合搜索和筛选条件的模型。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Check file</source>
        <translation>检查文件</translation>
    </message>
    <message>
        <source>Use for chat</source>
        <translation>用于聊天</translation>
    </message>
    <message>
        <source>Use for infill</source>
        <translation>用于填充</translation>
    </message>
    <message>
        <source>Unload</source>
        <translation>卸载</translation>
    </message>
    <message>
        <source>Free the loaded model&apos;s memory</source>
        <translation>释放已加载模型占用的内存</translation>
    </message>
    <message>
        <source>Import .gguf…</source>
        <translation>导入 .gguf…</translation>
    </message>
    <message>
        <source>Hugging Face token for gated models: Settings (Ctrl+,) &gt; Hub</source>
        <translation>受限模型所需的 Hugging Face 令牌：设置 (Ctrl+,) &gt; Hugging Face</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Remote engine…</source>
        <translation>远程引擎…</translation>
    </message>
    <message>
        <source>Use a model served by llama-server, vLLM, Ollama, LM Studio or another OpenAI-compatible server</source>
        <translation>使用由 llama-server、vLLM、Ollama、LM Studio 或其他 OpenAI 兼容服务器提供的模型</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Models use {size} GB in {folder}</source>
        <translation>模型在 {folder} 中占用 {size} GB</translation>
    </message>
    <message>
        <source>No model in the list fits this machine.</source>
        <translation>列表中没有适合本机的模型。</translation>
    </message>
    <message>
        <source>Recommended for this machine: {name} — {reason}.</source>
        <translation>本机推荐：{name} — {reason}。</translation>
    </message>
    <message>
        <source>Nothing downloaded yet: chat runs on the built-in SmolLM2. {recommendation}</source>
        <translation>尚未下载任何模型：聊天使用内置的 SmolLM2。{recommendation}</translation>
    </message>
    <message numerus="yes">
        <source>{shown} of %n model(s)</source>
        <translation>
            <numerusform>{shown} / %n 个模型</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n 个模型</numerusform>
        </translation>
    </message>
    <message>
        <source>chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>infill</source>
        <translation>代码填充</translation>
    </message>
    <message>
        <source>{name} — {parameters} parameters, {quantization}, context {context}, {roles}, license {license}. {note}</source>
        <translation>{name} — {parameters} 参数，{quantization}，上下文 {context}，{roles}，许可证 {license}。{note}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Forgot {name}; its file was left in place.</source>
        <translation>已移除 {name} 的记录；文件保留在原处。</translation>
    </message>
    <message>
        <source>Removed {name}; freed {size} GB.</source>
        <translation>已删除 {name}；释放了 {size} GB。</translation>
    </message>
    <message>
        <source>Reading the header of {file} from the hub…</source>
        <translation>正在从 Hub 读取 {file} 的头部信息…</translation>
    </message>
    <message>
        <source>Check failed: {error}</source>
        <translation>检查失败：{error}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>yes ({family})</source>
        <translation>是（{family}）</translation>
    </message>
    <message>
        <source>{file}: {size} GB, architecture {architecture} — {support}; trained context {context}; chat template {template}; infill tokens {infill}; sha256 {sha256}.</source>
        <translation>{file}：{size} GB，架构 {architecture} — {support}；训练上下文 {context}；聊天模板：{template}；填充词元：{infill}；sha256 {sha256}。</translation>
    </message>
    <message>
        <source>not published</source>
        <translation>未公布</translation>
    </message>
    <message>
        <source>{text} {verdict}: {detail}.</source>
        <translation>{text}{verdict}：{detail}。</translation>
    </message>
    <message>
        <source>Loading {name} for chat…</source>
        <translation>正在加载 {name} 用于聊天…</translation>
    </message>
    <message>
        <source>{name} is now the default for infill.</source>
        <translation>{name} 现在是默认的代码填充模型。</translation>
    </message>
    <message>
        <source>Unloading {name}…</source>
        <translation>正在卸载 {name}…</translation>
    </message>
    <message>
        <source>The model was unloaded and its memory freed. Choose a model and Use for chat to chat again.</source>
        <translation>模型已卸载，内存已释放。选择一个模型并点击“用于聊天”即可再次聊天。</translation>
    </message>
    <message>
        <source>Import a GGUF model</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Imported {file} as {id}.</source>
        <translation>已将 {file} 导入为 {id}。</translation>
    </message>
    <message>
        <source>Import failed: {error}</source>
        <translation>导入失败：{error}</translation>
    </message>
</context>
<context>
    <name>RemoteEngineDialog</name>
    <message>
        <source>Remote engine</source>
        <translation>远程引擎</translation>
    </message>
    <message>
        <source>API key, if the server needs one (kept in the system keyring)</source>
        <translation>接口密钥，如果服务器需要（保存在系统密钥环中）</translation>
    </message>
    <message>
        <source>the server&apos;s model (empty: its first)</source>
        <translation>服务器上的模型（留空：使用第一个）</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Save and use</source>
        <translation>保存并使用</translation>
    </message>
    <message>
        <source>Testing {url}…</source>
        <translation>正在测试 {url}…</translation>
    </message>
    <message>
        <source>Testing the address…</source>
        <translation>正在测试地址…</translation>
    </message>
    <message>
        <source>Connected to {kind}.</source>
        <translation>已连接到 {kind}。</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
    <message>
        <source>Connecting to {url}…</source>
        <translation>正在连接 {url}…</translation>
    </message>
    <message>
        <source>Using {model} on {url} ({n_ctx} tokens of context).</source>
        <translation>正在使用 {url} 上的 {model}（上下文 {n_ctx} 个词元）。</translation>
    </message>
</context>
</TS>
